// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"fmt"
	"strings"
)

// Format is an Auth0 stream Content Format.
type Format int

// Content formats, named as in Auth0's stream settings.
const (
	JSONLines Format = iota
	JSONArray
	JSONObject
)

func (f Format) String() string {
	switch f {
	case JSONLines:
		return "JSONLINES"
	case JSONArray:
		return "JSONARRAY"
	case JSONObject:
		return "JSONOBJECT"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat accepts the Auth0 setting names, case-insensitively.
func ParseFormat(s string) (Format, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "JSONLINES":
		return JSONLines, nil
	case "JSONARRAY":
		return JSONArray, nil
	case "JSONOBJECT":
		return JSONObject, nil
	}
	return 0, fmt.Errorf("unknown content format %q (want JSONLINES, JSONARRAY or JSONOBJECT)", s)
}

// Encode builds a request body. JSONLINES joins envelopes with newlines and
// ends with one. JSONARRAY gives [e1,e2,...]. JSONOBJECT gives the bare
// envelope; Auth0 does not document more than one per request, so for
// several events it writes one object per line (the same bytes as
// JSONLINES without the trailing newline): send batches of 1 to mimic it.
func Encode(format Format, events []Event) []byte {
	size := 2
	for _, e := range events {
		size += len(e.JSON) + 1
	}
	b := make([]byte, 0, size)
	switch format {
	case JSONArray:
		b = append(b, '[')
		for i, e := range events {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e.JSON...)
		}
		return append(b, ']')
	case JSONObject:
		for i, e := range events {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, e.JSON...)
		}
		return b
	default:
		for _, e := range events {
			b = append(b, e.JSON...)
			b = append(b, '\n')
		}
		return b
	}
}
