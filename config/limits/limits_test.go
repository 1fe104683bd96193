package limits

import "testing"

func TestParse(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]int64{
		"1":                   1,
		" 42 ":                42,
		"2KiB":                2 << 10,
		"3 MiB":               3 << 20,
		"1GiB":                1 << 30,
		"4611686018427387904": 1 << 62,
	} {
		if n, ok := Parse(raw); !ok || n != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", raw, n, ok, want)
		}
	}
	for _, raw := range []string{"", "0", "-1", "1.5", "1KB", "1 kib", "GiB", "x", "4611686018427387905", "4294967297GiB", "1e9"} {
		if n, ok := Parse(raw); ok {
			t.Errorf("Parse(%q) = %d, accepted", raw, n)
		}
	}
}

func TestOr(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ v, def, want int64 }{{0, 5, 5}, {-1, 5, 5}, {1, 5, 1}, {9, 5, 9}} {
		if got := Or(c.v, c.def); got != c.want {
			t.Errorf("Or(%d, %d) = %d, want %d", c.v, c.def, got, c.want)
		}
	}
}
