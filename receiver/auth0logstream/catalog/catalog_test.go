// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded table is the only copy the project reads: every row must
// parse into one entry, and the entries must be what translation expects.
func TestEveryRowIsOneEntry(t *testing.T) {
	rows := strings.Split(strings.TrimSpace(eventTypesTSV), "\n")
	require.Greater(t, len(rows), 100)
	assert.Len(t, All(), len(rows)-1, "every row must be in the catalog, once")
	for _, row := range rows[1:] {
		cols := strings.Split(strings.TrimRight(row, "\r"), "\t")
		require.GreaterOrEqual(t, len(cols), 4, row)
		et, ok := Lookup(cols[0])
		if !assert.True(t, ok, "code %q missing", cols[0]) {
			continue
		}
		assert.Equal(t, cols[1], et.Name, cols[0])
		assert.Equal(t, cols[2], et.Outcome, cols[0])
		assert.Equal(t, cols[3], et.Category, cols[0])
		assert.Equal(t, "auth0."+cols[0], et.EventName)
	}
	all := All()
	for i := 1; i < len(all); i++ {
		assert.Less(t, all[i-1].Code, all[i].Code, "All is ordered by code")
	}
}

func TestKnownCodes(t *testing.T) {
	for code, outcome := range map[string]string{
		"f": OutcomeFailure, "fp": OutcomeFailure, "limit_wc": OutcomeFailure, "pwd_leak": OutcomeFailure,
		"api_limit": OutcomeFailure, "s": OutcomeSuccess, "seacft": OutcomeSuccess, "mgmt_api_read": OutcomeSuccess,
	} {
		et, ok := Lookup(code)
		require.True(t, ok, code)
		assert.Equal(t, outcome, et.Outcome, code)
	}
	_, ok := Lookup("not_a_code")
	assert.False(t, ok)
}

func TestRejectsBadTables(t *testing.T) {
	header := "code\tname\toutcome\tstream_category\tstatus\n"
	for name, tsv := range map[string]string{
		"empty":        "",
		"short row":    header + "f\tFailed Login\n",
		"bad outcome":  header + "f\tFailed Login\tterrible\tauth.login.fail\tcurrent\n",
		"duplicate":    header + "f\ta\tfailure\t\tcurrent\nf\tb\tfailure\t\tcurrent\n",
		"invalid code": header + "F-1\ta\tfailure\t\tcurrent\n",
	} {
		_, err := parse(tsv)
		assert.Error(t, err, name)
	}
}

func TestValidCode(t *testing.T) {
	for code, want := range map[string]bool{
		"fp": true, "mgmt_api_read": true, "x1": true, strings.Repeat("a", 64): true,
		"": false, "FP": false, "f-p": false, "f p": false, "fé": false, strings.Repeat("a", 65): false,
	} {
		assert.Equal(t, want, ValidCode(code), "%q", code)
	}
}
