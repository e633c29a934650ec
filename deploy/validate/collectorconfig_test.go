package validate

import (
	"os"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"SET": "value", "EMPTY": ""}
	cases := []struct {
		in, want, wantErr string
	}{
		{"${env:SET}", "value", ""},
		{"${env:SET:-default}", "value", ""},
		{"${env:EMPTY:-default}", "", ""},
		{"${env:UNSET:-0.0.0.0:13133}", "0.0.0.0:13133", ""},
		{"http://${env:SET}:4318/x", "http://value:4318/x", ""},
		{"${env:UNSET}", "", "UNSET"},
		{"no reference", "no reference", ""},
	}
	for _, tc := range cases {
		got, err := ExpandEnv(tc.in, env)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ExpandEnv(%q): want an error naming %s, got %q, %v", tc.in, tc.wantErr, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ExpandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseGoMemLimit(t *testing.T) {
	good := map[string]int64{"410MiB": 410 << 20, "1GiB": 1 << 30, "1024": 1024, "7B": 7}
	for in, want := range good {
		if got, err := ParseGoMemLimit(in); err != nil || got != want {
			t.Errorf("ParseGoMemLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"410Mi", "410MB", "", "-1", "1.5GiB"} {
		if _, err := ParseGoMemLimit(in); err == nil {
			t.Errorf("ParseGoMemLimit(%q): want an error", in)
		}
	}
}

func TestEndpointPort(t *testing.T) {
	if p, err := EndpointPort("0.0.0.0:8383"); err != nil || p != 8383 {
		t.Errorf("got %d, %v", p, err)
	}
	for _, in := range []string{"0.0.0.0", "host:http", "host:70000", ""} {
		if _, err := EndpointPort(in); err == nil {
			t.Errorf("EndpointPort(%q): want an error", in)
		}
	}
}

func TestParseCollectorConfigRejectsDuplicateKeys(t *testing.T) {
	if _, err := ParseCollectorConfig([]byte("receivers:\n  a: {}\nreceivers:\n  b: {}\n")); err == nil {
		t.Fatal("want duplicate top-level keys rejected")
	}
}
