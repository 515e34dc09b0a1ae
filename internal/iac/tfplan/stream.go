package tfplan

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// pollEvery is how many tokens or values pass between looks at ctx: often
// enough to stop a 100 MB read promptly, rarely enough to cost nothing.
const pollEvery = 1 << 12

// stream walks a JSON document token by token, so that the parts a plan
// reader does not need are scanned and dropped rather than held in memory.
type stream struct {
	ctx   context.Context
	dec   *json.Decoder
	steps int
}

func newStream(ctx context.Context, r io.Reader) *stream {
	dec := json.NewDecoder(r)
	// Numbers keep their text, which is the canonical form model.Value
	// wants, and large integers do not pass through float64.
	dec.UseNumber()
	return &stream{ctx: ctx, dec: dec}
}

// shapeError is input that is not the JSON, or not the plan, expected. It
// becomes a Gap.
type shapeError struct {
	// offset is the 0-based byte offset of the offending byte, or with
	// rescan the offset where a value that failed to decode starts.
	offset int64
	msg    string
	// rescan is set for an error inside a value decoded whole: the
	// decoder's own offset counts bytes across its Decode calls, not in
	// the file, so gap scans that value again to find the byte.
	rescan bool
	// eof is input that ends too soon; the place is the end of the file.
	eof bool
}

func (e *shapeError) Error() string { return fmt.Sprintf("offset %d: %s", e.offset, e.msg) }

// gap converts the error to a Gap, with the offset turned into
// line:column by reading the file again up to it.
func (e *shapeError) gap(path string) model.Gap {
	g := model.Gap{File: path, Reason: "plan JSON is malformed: " + e.msg}
	offset, ok := e.offset, true
	switch {
	case e.eof:
		offset, ok = fileSize(path)
	case e.rescan:
		offset, ok = rescan(path, e.offset)
	}
	if ok {
		if line, col, ok := position(path, offset); ok {
			g.Range = &model.Range{File: path, Start: model.Pos{Line: line, Column: col}}
			return g
		}
	}
	g.Reason += fmt.Sprintf(" (in the value at byte %d)", e.offset)
	return g
}

func fileSize(path string) (int64, bool) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	return info.Size(), true
}

// rescan finds the offending byte of a syntax error in the value at
// start, which may be preceded by the ',' or ':' the decoder had consumed;
// for a value without one, the value's first byte.
func rescan(path string, start int64) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return 0, false
	}
	r := bufio.NewReader(f)
	skipped, separator := int64(0), false
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, false
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || (!separator && (c == ',' || c == ':')) {
			separator = separator || c == ',' || c == ':'
			skipped++
			continue
		}
		if err := r.UnreadByte(); err != nil {
			return 0, false
		}
		break
	}
	var raw json.RawMessage
	var syn *json.SyntaxError
	if err := json.NewDecoder(r).Decode(&raw); !errors.As(err, &syn) {
		// The value itself is well formed: what is wrong is before it
		// (a missing comma).
		return start + skipped, true
	}
	// Offset counts the bytes read up to and including the bad one.
	return start + skipped + syn.Offset - 1, true
}

// position converts a 0-based byte offset to a 1-based line and column
// (in bytes).
func position(path string, offset int64) (line, col int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	r := bufio.NewReader(f)
	line, col = 1, 1
	for i := int64(0); i < offset; i++ {
		c, err := r.ReadByte()
		if err != nil {
			// The end of a truncated file is still a place.
			return line, col, errors.Is(err, io.EOF)
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col, true
}

// fail turns a decoder error from Token into a shapeError. Token reports
// its syntax errors at the offending byte.
func (s *stream) fail(err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return &shapeError{offset: syn.Offset, msg: syn.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &shapeError{eof: true, msg: "unexpected end of input"}
	}
	// Anything else is a read error, not a property of the input.
	return err
}

// poll returns ctx's error every pollEvery calls.
func (s *stream) poll() error {
	s.steps++
	if s.steps%pollEvery == 0 {
		return s.ctx.Err()
	}
	return nil
}

func (s *stream) token() (json.Token, error) {
	if err := s.poll(); err != nil {
		return nil, err
	}
	tok, err := s.dec.Token()
	return tok, s.fail(err)
}

// decode decodes the next value whole; only for values known to be small
// (one resource, one expression map).
func (s *stream) decode(v any) error {
	if err := s.poll(); err != nil {
		return err
	}
	start := s.dec.InputOffset()
	err := s.dec.Decode(v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return &shapeError{offset: start, msg: syn.Error(), rescan: true}
	case errors.As(err, &typ):
		// Rescanning finds no syntax error and settles on the value's start.
		return &shapeError{offset: start, msg: typ.Error(), rescan: true}
	}
	return s.fail(err)
}

// open reads the opening delimiter of an object or array. A null stands
// for an empty one: ok is false and there is nothing to close.
func (s *stream) open(want json.Delim) (ok bool, err error) {
	tok, err := s.token()
	if err != nil {
		return false, err
	}
	if tok == nil {
		return false, nil
	}
	if d, isDelim := tok.(json.Delim); isDelim && d == want {
		return true, nil
	}
	what := "an object"
	if want == '[' {
		what = "an array"
	}
	return false, &shapeError{offset: s.dec.InputOffset(), msg: fmt.Sprintf("expected %s, found %v", what, tok)}
}

// object calls fn for each key of an object; fn must consume the value.
func (s *stream) object(fn func(key string) error) error {
	ok, err := s.open('{')
	if !ok || err != nil {
		return err
	}
	for s.dec.More() {
		tok, err := s.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder allows nothing else here
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = s.token()
	return err
}

// array calls fn for each element of an array; fn must consume it.
func (s *stream) array(fn func() error) error {
	ok, err := s.open('[')
	if !ok || err != nil {
		return err
	}
	for s.dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = s.token()
	return err
}

// skip consumes the next value token by token, so that a large value
// (prior_state) is never held whole.
func (s *stream) skip() error {
	depth := 0
	for {
		tok, err := s.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
