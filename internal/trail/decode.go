package trail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
)

// MaxRecordBytes is the largest record ReadUnit decodes. CloudTrail events
// are at most 256 KB, so anything larger is not an event; it is skipped
// without being buffered and recorded as ProblemOversized.
const MaxRecordBytes = 1 << 20

// maxDepth is encoding/json's nesting limit: a record nested deeper could
// not be decoded anyway, and the splitter's bracket stack stays bounded.
const maxDepth = 10000

// readBufSize is the splitter's window. Larger windows mean fewer trips
// through the loop's setup; 64 KiB holds dozens of records.
const readBufSize = 64 << 10

// oversizedReason is one string for every oversized record, so a unit's
// oversized records are counted in one problem.
const oversizedReason = "record larger than MaxRecordBytes (1 MiB)"

// ReadStats is what reading one unit saw. Records = Decoded + Skipped +
// Oversized.
type ReadStats struct {
	// Gzip says the stream was gzipped; Bytes is how many bytes of JSON
	// were read (after gunzip).
	Gzip  bool
	Bytes int64
	// Records is how many records the unit holds.
	Records int64
	// Decoded passed the byte prefilter and went to AddRecord; Skipped did
	// not and were only counted; Oversized were larger than MaxRecordBytes.
	Decoded, Skipped, Oversized int64
}

// ReadUnit reads one CloudTrail log file or object from r and folds its
// records into agg. See ReadUnitStats.
func ReadUnit(r io.Reader, unit string, agg *Aggregator) error {
	_, err := ReadUnitStats(r, unit, agg)
	return err
}

// ReadUnitStats is ReadUnit that also says what it read.
//
// The stream may be gzipped (told by its magic bytes, not its name) and
// may hold CloudTrail's {"Records":[...]} object (other top-level keys are
// skipped), a JSON array of records, or one record per line (NDJSON, as
// CloudTrail Lake and Athena export). An empty stream holds no records.
//
// Records are split at the byte level and only one is held at a time.
// Only a record whose bytes contain `kms.amazonaws.com"` or
// `sagemaker.amazonaws.com"`, as every record with one of those event
// sources does, is decoded (AddRecord); the rest cannot be of interest and
// are only counted. A record larger than MaxRecordBytes is skipped unread
// and recorded as ProblemOversized. A bad record in a good file is a
// problem of unit in agg; an error means the unit as a whole could not be
// read (corrupt or truncated gzip, a failed read, not JSON, truncated
// JSON), and what was added to agg must be discarded.
func ReadUnitStats(r io.Reader, unit string, agg *Aggregator) (ReadStats, error) {
	br := bufio.NewReaderSize(r, readBufSize)
	d := &decoder{br: br, unit: unit, agg: agg}
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return d.stats, fmt.Errorf("reading: %w", err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return d.stats, err // gzip's own errors say "gzip: ..."

		}
		defer zr.Close()
		d.br = bufio.NewReaderSize(zr, readBufSize)
		d.stats.Gzip = true
	}
	err = d.run()
	// Skipped records are counted once per unit rather than once each.
	agg.CountSkipped(d.stats.Skipped)
	d.stats.Bytes = d.off
	return d.stats, err
}

// decoder splits a JSON stream into records without decoding them.
type decoder struct {
	br    *bufio.Reader
	unit  string
	agg   *Aggregator
	stats ReadStats
	off   int64 // bytes consumed, for error messages
	// rec holds the record being read, reused from record to record; over
	// says it passed MaxRecordBytes and the rest of it is being dropped.
	rec  []byte
	over bool
	// view, when set, is the record in place of rec: its bytes in the
	// read buffer, valid until the next read.
	view []byte
	// hit says the prefilter found an event source of interest in the
	// record; recheck that it could not tell while scanning.
	hit, recheck bool
	// stack holds the open brackets of the value being scanned.
	stack []byte
}

// syntaxError is JSON the splitter cannot read past.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("not a CloudTrail log: %s at byte %d", e.msg, e.off)
}

func (d *decoder) syntaxErr(format string, args ...any) error {
	return &syntaxError{off: d.off, msg: fmt.Sprintf(format, args...)}
}

// readErr turns a read error met inside a value into the unit's error: the
// document ended early, or the stream (gunzip) failed.
func (d *decoder) readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("not a CloudTrail log: JSON truncated at byte %d: %w", d.off, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading after %d bytes of JSON: %w", d.off, err)
}

// window returns the bytes buffered, reading more when there are none.
func (d *decoder) window() ([]byte, error) {
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return d.br.Peek(d.br.Buffered())
}

// consume drops b, the next bytes of the window, keeping them in rec when
// keep is set and the record is still within MaxRecordBytes.
func (d *decoder) consume(b []byte, keep bool) {
	if keep && !d.over {
		need := len(d.rec) + len(b)
		switch {
		case need > MaxRecordBytes:
			d.over, d.rec = true, d.rec[:0]
		case need > cap(d.rec):
			// Double, rather than append's gentler growth for large
			// slices: a record near the limit then costs about twice its
			// size in allocations, not five times.
			grown := make([]byte, need, min(max(2*cap(d.rec), need, 4<<10), MaxRecordBytes))
			copy(grown[copy(grown, d.rec):], b)
			d.rec = grown
		default:
			d.rec = append(d.rec, b...)
		}
	}
	_, _ = d.br.Discard(len(b)) // b is buffered, so Discard cannot fail
	d.off += int64(len(b))
}

// consumeByte drops the next byte, which the caller has peeked.
func (d *decoder) consumeByte(c byte, keep bool) {
	d.consume([]byte{c}, keep)
}

// peek skips whitespace and returns the next byte without consuming it;
// io.EOF when the stream ends.
func (d *decoder) peek() (byte, error) {
	for {
		w, err := d.window()
		if err != nil {
			return 0, err
		}
		for i, c := range w {
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				d.consume(w[:i], false)
				return c, nil
			}
		}
		d.consume(w, false)
	}
}

// peekIn is peek inside a value, where the end of the stream is an error.
func (d *decoder) peekIn() (byte, error) {
	c, err := d.peek()
	if err != nil {
		return 0, d.readErr(err)
	}
	return c, nil
}

// run reads the top level: a sequence of objects and arrays.
func (d *decoder) run() error {
	bom, err := d.br.Peek(3)
	if err != nil && !errors.Is(err, io.EOF) {
		return d.readErr(err)
	}
	if bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		d.consume(bom, false) // some exporters write a UTF-8 byte order mark
	}
	c, err := d.peek()
	switch {
	case errors.Is(err, io.EOF):
		return nil // no records, like an export of an empty result
	case err != nil:
		return d.readErr(err)
	case c != '{' && c != '[':
		return d.syntaxErr("top level starts with %q, not an object or array", c)
	}
	// ndjson is set once the first top-level object turns out to be a
	// record rather than CloudTrail's wrapper: the objects after it are
	// records too, and are split without looking at their keys.
	ndjson := false
	for first := true; ; first = false {
		switch {
		case c == '[':
			d.consumeByte(c, false)
			if err := d.array(); err != nil {
				return err
			}
		case c == '{' && !ndjson:
			wrapper, err := d.object()
			if err != nil {
				return err
			}
			ndjson = first && !wrapper
		case ndjson && startsValue(c):
			if err := d.record(c); err != nil {
				return err
			}
		default:
			return d.syntaxErr("unexpected %q after a top-level value", c)
		}
		c, err = d.peek()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return d.readErr(err)
		}
	}
}

// startsValue reports whether c can start a JSON value.
func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n':
		return true
	}
	return '0' <= c && c <= '9'
}

// array reads the elements of an array whose '[' was consumed, each a
// record.
func (d *decoder) array() error {
	c, err := d.peekIn()
	if err != nil {
		return err
	}
	if c == ']' {
		d.consumeByte(c, false)
		return nil
	}
	for {
		if err := d.record(c); err != nil {
			return err
		}
		if c, err = d.peekIn(); err != nil {
			return err
		}
		switch c {
		case ']':
			d.consumeByte(c, false)
			return nil
		case ',':
			d.consumeByte(c, false)
			if c, err = d.peekIn(); err != nil {
				return err
			}
		default:
			return d.syntaxErr("unexpected %q after a record", c)
		}
	}
}

// record reads one record starting with c and hands it on.
func (d *decoder) record(c byte) error {
	d.rec, d.over, d.view, d.hit, d.recheck = d.rec[:0], false, nil, false, false
	if err := d.value(c, true); err != nil {
		return err
	}
	d.emit(c)
	return nil
}

// emit hands on the record in rec, whose first byte is first.
func (d *decoder) emit(first byte) {
	rec := d.rec
	if d.view != nil {
		rec, d.view = d.view, nil
	}
	d.stats.Records++
	switch {
	case d.over:
		d.stats.Oversized++
		d.agg.AddProblem(d.unit, ProblemOversized, oversizedReason)
	case first == '{' && !d.hit && !(d.recheck && mayInterest(rec)):
		d.stats.Skipped++
	case first == '{' && otherSource(rec):
		// It names KMS or SageMaker (S3 asking KMS for a data key, STS
		// letting SageMaker assume a role) but comes from another service:
		// not of interest either.
		d.stats.Skipped++
	default:
		// Not an object, or one that may be of interest: AddRecord decodes
		// it and records it as a problem if it is not a usable record.
		d.stats.Decoded++
		AddRecord(rec, d.unit, d.agg)
	}
}

// sourceField is the event source as CloudTrail writes it in a log file
// (compact JSON).
var sourceField = []byte(`"eventSource":"`)

// otherSource reports whether rec's event source, written compactly, is
// neither KMS nor SageMaker. A record written otherwise (spaces, escapes)
// is not judged here: AddRecord decodes it.
func otherSource(rec []byte) bool {
	i := bytes.Index(rec, sourceField)
	if i < 0 {
		return false
	}
	v := rec[i+len(sourceField):]
	end := bytes.IndexByte(v, '"')
	if end < 0 || bytes.IndexByte(v[:end], '\\') >= 0 {
		return false
	}
	src := string(v[:end])
	return src != SourceKMS && src != SourceSageMaker
}

// mayInterest is the byte prefilter: whether rec contains
// `kms.amazonaws.com"` or `sagemaker.amazonaws.com"`, as every record with
// one of those event sources does. The splitter applies it as it scans
// (see marker); this is the search it falls back on.
func mayInterest(rec []byte) bool {
	const suffix = `.amazonaws.com"`
	for {
		i := bytes.Index(rec, []byte(suffix))
		if i < 0 {
			return false
		}
		if head := rec[:i]; bytes.HasSuffix(head, []byte("kms")) || bytes.HasSuffix(head, []byte("sagemaker")) {
			return true
		}
		rec = rec[i+len(suffix):]
	}
}

// object reads a top-level object starting at its '{'. It is CloudTrail's
// wrapper when it has a key "Records" (holding an array, or null): the
// array's elements are read as records and every other key is skipped.
// Records holding anything else is an error. Otherwise the object is
// a record (the first line of NDJSON), kept whole as it is read and handed
// on at its end. Keys are read one by one only here, for the few top-level
// objects a unit has.
func (d *decoder) object() (wrapper bool, err error) {
	// Keys are not scanned by composite, so the prefilter searches the
	// whole object.
	d.rec, d.over, d.view, d.hit, d.recheck = d.rec[:0], false, nil, false, true
	d.consumeByte('{', true)
	c, err := d.peekIn()
	if err != nil {
		return false, err
	}
	if c == '}' {
		d.consumeByte(c, true)
		d.emit('{')
		return false, nil
	}
	for {
		if c != '"' {
			return false, d.syntaxErr("object key starts with %q", c)
		}
		records, err := d.key(!wrapper)
		if err != nil {
			return false, err
		}
		if c, err = d.peekIn(); err != nil {
			return false, err
		}
		if c != ':' {
			return false, d.syntaxErr("unexpected %q after an object key", c)
		}
		d.consumeByte(c, !wrapper)
		if c, err = d.peekIn(); err != nil {
			return false, err
		}
		switch {
		case records && c == '[':
			wrapper = true
			d.consumeByte(c, false)
			if err := d.array(); err != nil {
				return false, err
			}
		case records && c == 'n':
			// "Records":null holds no records, but is still the wrapper.
			lit, err := d.br.Peek(4)
			if err != nil && !errors.Is(err, io.EOF) {
				return false, d.readErr(err)
			}
			if string(lit) != "null" {
				return false, d.syntaxErr("Records holds neither an array nor null")
			}
			wrapper = true
			d.consume([]byte("null"), false)
		case records:
			return false, d.syntaxErr("Records holds %q, not an array", c)
		default:
			if err := d.value(c, !wrapper); err != nil {
				return false, err
			}
		}
		if c, err = d.peekIn(); err != nil {
			return false, err
		}
		switch c {
		case '}':
			d.consumeByte(c, !wrapper)
			if !wrapper {
				d.emit('{')
			}
			return wrapper, nil
		case ',':
			d.consumeByte(c, !wrapper)
			if c, err = d.peekIn(); err != nil {
				return false, err
			}
		default:
			return false, d.syntaxErr("unexpected %q after an object value", c)
		}
	}
}

// key reads an object key at its opening quote and reports whether it is
// "Records". Only a key's first bytes are looked at: even "Records" with
// every letter escaped is shorter than that.
func (d *decoder) key(keep bool) (records bool, err error) {
	var head [64]byte
	n, esc, done := 0, false, false
	for !done {
		w, err := d.window()
		if err != nil {
			return false, d.readErr(err)
		}
		i := 0
		for i < len(w) && !done {
			c := w[i]
			if n < len(head) {
				head[n] = c
			}
			i, n = i+1, n+1
			switch {
			case n == 1: // the opening quote
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				done = true
			}
		}
		d.consume(w[:i], keep)
	}
	if n > len(head) {
		return false, nil
	}
	k := head[:n]
	if string(k) == `"Records"` {
		return true, nil
	}
	var s string
	return bytes.IndexByte(k, '\\') >= 0 && json.Unmarshal(k, &s) == nil && s == "Records", nil
}

// value scans one JSON value starting with c, keeping its bytes in rec
// when keep is set.
func (d *decoder) value(c byte, keep bool) error {
	switch {
	case c == '{' || c == '[' || c == '"':
		return d.composite(keep)
	case startsValue(c):
		return d.scalar(keep)
	}
	return d.syntaxErr("unexpected %q where a value starts", c)
}

// scalar scans a number or literal. It is not validated: a record holding
// a bad one fails to decode in AddRecord, and a skipped record cannot
// matter.
func (d *decoder) scalar(keep bool) error {
	for {
		w, err := d.window()
		if errors.Is(err, io.EOF) {
			return nil // the last line of NDJSON may be a bare scalar
		} else if err != nil {
			return d.readErr(err)
		}
		for i, c := range w {
			if !scalarByte(c) {
				d.consume(w[:i], keep)
				return nil
			}
		}
		d.consume(w, keep)
	}
}

func scalarByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.'
}

// composite scans an object, array or string to its end. This is the hot
// loop: it finds each string's end with one IndexByte, looking back from
// a quote only for the backslashes that would escape it, and looks at
// bytes one by one only outside strings, where it tracks brackets. A
// record that lies within one window is not copied: view points at it.
func (d *decoder) composite(keep bool) error {
	d.stack = d.stack[:0]
	inStr := false
	esc := false // the previous window ended with a backslash escaping this one's first byte
	whole := keep && len(d.rec) == 0 && !d.over
	for {
		w, err := d.window()
		if err != nil {
			return d.readErr(err)
		}
		i, done := 0, false
		if esc {
			i, esc = 1, false
		}
	scan:
		for i < len(w) {
			if inStr {
				q := bytes.IndexByte(w[i:], '"')
				if q < 0 {
					esc = backslashes(w, i, len(w))%2 == 1
					i = len(w)
					break
				}
				p := i + q
				if p == 0 || w[p-1] == 'm' {
					d.marker(w, p)
				}
				from := i
				i = p + 1
				if backslashes(w, from, p)%2 == 1 {
					continue // an escaped quote
				}
				inStr = false
				if len(d.stack) == 0 {
					done = true // a string was the whole value
					break
				}
				continue
			}
			c := w[i]
			i++
			switch c {
			case '"':
				inStr = true
				if i == 1 || w[i-2] == 'm' {
					d.marker(w, i-1) // not valid JSON, but the prefilter looks at bytes
				}
			case '{', '[':
				if len(d.stack) >= maxDepth {
					d.consume(w[:i], keep)
					return d.syntaxErr("JSON nested deeper than %d levels", maxDepth)
				}
				d.stack = append(d.stack, c)
			case '}', ']':
				n := len(d.stack)
				// '{'+2 == '}' and '['+2 == ']'.
				if n == 0 || d.stack[n-1]+2 != c {
					d.consume(w[:i-1], keep)
					return d.syntaxErr("unexpected %q", c)
				}
				d.stack = d.stack[:n-1]
				if n == 1 {
					done = true
					break scan
				}
			}
		}
		if done && whole {
			// The bufio buffer keeps these bytes until the next read, and
			// the record is handed on before that.
			d.view = w[:i]
			d.consume(w[:i], false)
			return nil
		}
		whole = false
		d.consume(w[:i], keep)
		if done {
			return nil
		}
	}
}

// marker is the byte prefilter, applied at each quote of a record that
// follows an 'm' (or starts the window): it notes whether w[:p] ends with
// one of the two event sources. Every `kms.amazonaws.com"` in a record
// ends at such a quote, so checking there is the same as searching the
// record, without another pass over it. When the bytes before p are in an
// earlier window, emit searches the whole record instead.
func (d *decoder) marker(w []byte, p int) {
	const kms, sageMaker = SourceKMS, SourceSageMaker
	if p < len(sageMaker) {
		d.recheck = true
		return
	}
	if b := w[p-len(sageMaker) : p]; string(b) == sageMaker || string(b[len(sageMaker)-len(kms):]) == kms {
		d.hit = true
	}
}

// backslashes counts the backslashes that end w[from:to].
func backslashes(w []byte, from, to int) int {
	n := 0
	for to > from && w[to-1] == '\\' {
		to--
		n++
	}
	return n
}
