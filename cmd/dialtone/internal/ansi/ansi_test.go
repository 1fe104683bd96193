package ansi

import "testing"

func TestPaint(t *testing.T) {
	if got := Paint(false, Red, "x"); got != "x" {
		t.Errorf("colour off: %q", got)
	}
	if got := Paint(true, Red, "x"); got != "\x1b[31mx\x1b[0m" {
		t.Errorf("colour on: %q", got)
	}
}
