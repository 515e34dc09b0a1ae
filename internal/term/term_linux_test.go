package term

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY returns the terminal end of a new pseudo-terminal sized
// cols×rows, so Detect is tested on a real terminal, not a stand-in.
func openPTY(t *testing.T, cols, rows uint16) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) {
		t.Helper()
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
			t.Skipf("pseudo-terminal ioctl %#x: %v", req, errno)
		}
	}
	var unlock int32
	ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	var n uint32
	ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n))
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	size := struct{ rows, cols, x, y uint16 }{rows, cols, 0, 0}
	ioctl(tty, syscall.TIOCSWINSZ, unsafe.Pointer(&size))
	return tty
}

// On a terminal: colour unless NO_COLOR (any value) or TERM=dumb, the
// terminal's width unless COLUMNS says otherwise.
func TestDetectOnTerminal(t *testing.T) {
	tty := openPTY(t, 97, 30)
	for _, tc := range []struct {
		env   map[string]string
		color bool
		width int
	}{
		{map[string]string{"TERM": "xterm-256color"}, true, 97},
		{map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"}, false, 97},
		{map[string]string{"TERM": "dumb"}, false, 97},
		{map[string]string{"TERM": "xterm", "COLUMNS": "60"}, true, 60},
		{map[string]string{"TERM": "xterm", "COLUMNS": "wide"}, true, 97},
	} {
		got := Detect(tty, func(k string) string { return tc.env[k] })
		if got.Color != tc.color || got.Width != tc.width {
			t.Errorf("env %v: %+v, want colour %v width %d", tc.env, got, tc.color, tc.width)
		}
		if s := got.Paint("FAIL", Red); (s != "FAIL") != tc.color {
			t.Errorf("env %v: Paint gives %q", tc.env, s)
		}
	}
}
