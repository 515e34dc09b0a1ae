package trail

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// logFileName is CloudTrail's own name for a log file,
// <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz, which
// still tells the partition when the file was copied out of its
// AWSLogs/... directories.
var logFileName = regexp.MustCompile(`^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T\d{4}Z_[A-Za-z0-9]+\.json(?:\.gz)?$`)

// trailFile reports whether a file's name says it holds trail records:
// JSON, JSON lines or NDJSON, each possibly gzipped.
func trailFile(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

// notTrail reports whether a slash path within a trail is one of
// CloudTrail's other deliveries: digest files (hashes of the log files)
// and Insights events, which are not API calls.
func notTrail(rel string) bool {
	for _, dir := range strings.Split(rel, "/") {
		if dir == "CloudTrail-Digest" || dir == "CloudTrail-Insight" {
			return true
		}
	}
	base := rel[strings.LastIndex(rel, "/")+1:]
	return strings.Contains(base, "_CloudTrail-Digest_") || strings.Contains(base, "_CloudTrail-Insight_")
}

// ListFiles lists the trail files under root (a directory, walked, or one
// file): .json, .jsonl and .ndjson files, gzipped or not. Each is a Unit
// of source "file:<absolute root>" whose key is its slash path relative
// to root (its base name when root is the file), whose ETag changes when
// the file's size or modification time does, and whose account, region and
// day come from its AWSLogs/... path or else CloudTrail's file name.
// Hidden files and directories, CloudTrail digest files and Insights
// events are left out. Units are sorted by key.
func ListFiles(root string) ([]Unit, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	source := "file:" + abs
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file or a directory", root)
		}
		return []Unit{fileUnit(source, filepath.Base(abs), info)}, nil
	}
	var units []Unit
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err // an unreadable directory: the listing would be incomplete
		}
		if path == abs {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !trailFile(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(abs, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if notTrail(rel) {
			return nil
		}
		// Stat follows a symbolic link to the file it names.
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			units = append(units, fileUnit(source, rel, info))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.Key, b.Key) })
	return units, nil
}

// fileUnit describes one file.
func fileUnit(source, rel string, info fs.FileInfo) Unit {
	u := Unit{Source: source, Key: rel, Size: info.Size(),
		ETag: strconv.FormatInt(info.Size(), 10) + "-" + strconv.FormatInt(info.ModTime().UnixNano(), 10)}
	if lk, ok := ParseLogKey(rel); ok {
		u.Account, u.Region, u.Day = lk.Account, lk.Region, lk.Day
	} else if m := logFileName.FindStringSubmatch(rel[strings.LastIndex(rel, "/")+1:]); m != nil {
		if day, err := time.Parse("20060102", m[3]); err == nil {
			u.Account, u.Region, u.Day = m[1], m[2], day
		}
	}
	return u
}

// OpenFile opens a unit ListFiles(root) returned.
func OpenFile(root string, u Unit) (io.ReadCloser, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		if u.Key != filepath.Base(root) {
			return nil, fmt.Errorf("%s is not the file %s", u.Key, root)
		}
		return os.Open(root)
	}
	// A key from ListFiles is always local; refusing any other keeps a
	// stored key from reading outside root.
	if !filepath.IsLocal(filepath.FromSlash(u.Key)) {
		return nil, errors.New("file key " + strconv.Quote(u.Key) + " is outside the directory")
	}
	return os.Open(filepath.Join(root, filepath.FromSlash(u.Key)))
}
