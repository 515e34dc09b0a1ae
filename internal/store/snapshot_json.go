package store

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strconv"
)

// gzipSnapshot is the stored body of a snapshot: the bytes
// json.NewEncoder(w).Encode(snap) writes, gzipped. It encodes the
// inventory one resource at a time straight into the gzip stream, so the
// whole document (megabytes for a large estate, twice that while its
// buffer grows) is never held in memory; only the compressed body is.
// snapshot_json_test.go checks that the bytes equal the encoder's and that
// no field of Snapshot or Inventory is left out.
func gzipSnapshot(snap Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := writeSnapshotJSON(zw, snap); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSnapshotJSON writes snap as json.Encoder.Encode does: the fields in
// declaration order, omitempty as tagged, HTML-safe escaping and a final
// newline.
func writeSnapshotJSON(w io.Writer, snap Snapshot) error {
	sw := &snapshotWriter{w: w}
	inv := snap.Inventory
	sw.str(`{"schema_version":` + strconv.Itoa(snap.SchemaVersion))
	sw.str(`,"inventory":{"schema_version":` + strconv.Itoa(inv.SchemaVersion) + `,"resources":`)
	if inv.Resources == nil {
		sw.str("null")
	} else {
		sw.str("[")
		for i := range inv.Resources {
			if i > 0 {
				sw.str(",")
			}
			sw.value(&inv.Resources[i])
		}
		sw.str("]")
	}
	sw.str(`,"gaps":`)
	sw.value(inv.Gaps)
	if len(inv.IAM) > 0 {
		sw.str(`,"iam":`)
		sw.value(inv.IAM)
	}
	sw.str(`},"keys":`)
	sw.value(snap.Keys)
	sw.str(`,"key_refs":`)
	sw.value(snap.KeyRefs)
	sw.str("}\n")
	return sw.err
}

// snapshotWriter keeps the first error, so writeSnapshotJSON reads as the
// document it writes.
type snapshotWriter struct {
	w   io.Writer
	err error
}

func (s *snapshotWriter) str(v string) {
	if s.err == nil {
		_, s.err = io.WriteString(s.w, v)
	}
}

func (s *snapshotWriter) value(v any) {
	if s.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	_, s.err = s.w.Write(b)
}
