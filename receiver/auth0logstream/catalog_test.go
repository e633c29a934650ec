package auth0logstream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceTSV is the project's shared table of Auth0 type codes, beside the
// repository; the receiver embeds a copy so that it builds on its own.
var referenceTSV = filepath.Join("..", "..", "..", "shared", "auth0", "event-types.tsv")

func TestCatalogMatchesReference(t *testing.T) {
	ref, err := os.ReadFile(referenceTSV)
	if os.IsNotExist(err) && os.Getenv("CI") == "" {
		t.Skipf("reference table %s is not beside this checkout", referenceTSV)
	}
	require.NoError(t, err)

	rows := strings.Split(strings.TrimSpace(string(ref)), "\n")
	require.Greater(t, len(rows), 100)
	assert.Len(t, catalog, len(rows)-1, "every reference row must be in the catalog, once")
	for _, row := range rows[1:] {
		cols := strings.Split(strings.TrimRight(row, "\r"), "\t")
		require.GreaterOrEqual(t, len(cols), 4, row)
		et, ok := lookupEventType(cols[0])
		if !assert.True(t, ok, "code %q missing", cols[0]) {
			continue
		}
		assert.Equal(t, cols[1], et.name, cols[0])
		assert.Equal(t, cols[2], et.outcome, cols[0])
		assert.Equal(t, cols[3], et.category, cols[0])
		assert.Equal(t, "auth0."+cols[0], et.eventName)
	}
}

func TestCatalogKnownCodes(t *testing.T) {
	for code, outcome := range map[string]string{
		"f": outcomeFailure, "fp": outcomeFailure, "limit_wc": outcomeFailure, "pwd_leak": outcomeFailure,
		"api_limit": outcomeFailure, "s": outcomeSuccess, "seacft": outcomeSuccess, "mgmt_api_read": outcomeSuccess,
	} {
		et, ok := lookupEventType(code)
		require.True(t, ok, code)
		assert.Equal(t, outcome, et.outcome, code)
	}
	_, ok := lookupEventType("not_a_code")
	assert.False(t, ok)
}

func TestCatalogRejectsBadTables(t *testing.T) {
	header := "code\tname\toutcome\tstream_category\tstatus\n"
	for name, tsv := range map[string]string{
		"empty":        "",
		"short row":    header + "f\tFailed Login\n",
		"bad outcome":  header + "f\tFailed Login\tterrible\tauth.login.fail\tcurrent\n",
		"duplicate":    header + "f\ta\tfailure\t\tcurrent\nf\tb\tfailure\t\tcurrent\n",
		"invalid code": header + "F-1\ta\tfailure\t\tcurrent\n",
	} {
		_, err := parseCatalog(tsv)
		assert.Error(t, err, name)
	}
}

func TestValidTypeCode(t *testing.T) {
	for code, want := range map[string]bool{
		"fp": true, "mgmt_api_read": true, "x1": true, strings.Repeat("a", 64): true,
		"": false, "FP": false, "f-p": false, "f p": false, "fé": false, strings.Repeat("a", 65): false,
	} {
		assert.Equal(t, want, validTypeCode(code), "%q", code)
	}
}
