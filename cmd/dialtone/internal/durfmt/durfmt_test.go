package durfmt

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		d                            time.Duration
		short, fine, human, measured string
	}{
		{1500 * time.Microsecond, "0.0s", "1.5ms", "0.0s", "1.5ms"},
		{2500 * time.Millisecond, "2.5s", "2.50s", "2.5s", "2.5s"},
		{45 * time.Second, "45.0s", "45.00s", "45s", "45s"},
		{12*time.Minute + 30*time.Second, "750.0s", "750.00s", "12m30s", "12m30s"},
		{2*time.Hour + 5*time.Minute + 59*time.Second, "7559.0s", "7559.00s", "2h05m", "2h05m"},
	} {
		if got := Short(c.d); got != c.short {
			t.Errorf("Short(%v) = %q, want %q", c.d, got, c.short)
		}
		if got := Fine(c.d); got != c.fine {
			t.Errorf("Fine(%v) = %q, want %q", c.d, got, c.fine)
		}
		if got := Human(c.d); got != c.human {
			t.Errorf("Human(%v) = %q, want %q", c.d, got, c.human)
		}
		if got := Measured(c.d); got != c.measured {
			t.Errorf("Measured(%v) = %q, want %q", c.d, got, c.measured)
		}
	}
	if MS(1500*time.Millisecond) != 1500 || FromMS(1500) != 1500*time.Millisecond {
		t.Error("MS and FromMS do not round-trip milliseconds")
	}
}
