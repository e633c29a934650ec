// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"golang.org/x/net/http/httpguts"
)

// maxTokens is the number of token slots: authorization_token is slot 0 and
// authorization_tokens[i] is slot i+1. Every request is compared against all
// of them, configured or not, so the time taken says nothing about how many
// tokens there are or which one matched. Rotation needs two.
const maxTokens = 8

// maxRequiredHeaders bounds required_headers; each costs one digest per request.
const maxRequiredHeaders = 16

// tokenIndexKey is the attribute that tells the tokens apart in telemetry.
const tokenIndexKey = "token.index"

// authChecker decides, from the headers alone, whether a request may be
// read: the Authorization header against the configured tokens, and every
// required header against its value. It keeps SHA-256 digests only: the
// secrets themselves are not held, so they cannot be logged or compared
// any other way.
type authChecker struct {
	tokens  tokenSet
	headers []requiredHeader // sorted by name, so reasons are deterministic

	// indexAttrs are the token.index attribute sets, built once.
	indexAttrs [maxTokens]metric.AddOption

	// duplicates names slots holding the same token, for a warning at start. They are
	// allowed: in the middle of a rotation, setting the new token in both places is harmless
	// and must not stop the collector.
	duplicates []string
}

// tokenSet is a fixed number of digest slots; inUse[i] is 1 for a
// configured token and 0 for an empty slot, which can never match.
type tokenSet struct {
	digests [maxTokens][sha256.Size]byte
	inUse   [maxTokens]int
	any     bool // at least one slot in use
}

type requiredHeader struct {
	name string // canonical form, e.g. X-Stream-Secret
	want [sha256.Size]byte
}

// newAuthChecker digests the configured secrets. Empty token entries are
// left unused, so an unset optional variable (`${env:NEXT_TOKEN}` before a
// rotation) accepts nothing.
func newAuthChecker(cfg *Config) (*authChecker, error) {
	if err := errors.Join(cfg.validateAuth()...); err != nil {
		return nil, err
	}
	a := &authChecker{}
	for i := range a.indexAttrs {
		a.indexAttrs[i] = metric.WithAttributeSet(attribute.NewSet(attribute.Int(tokenIndexKey, i)))
	}
	slots := cfg.tokenSlots()
	for i, tok := range slots {
		if tok == "" {
			continue
		}
		for j := range i {
			if slots[j] == tok {
				a.duplicates = append(a.duplicates, fmt.Sprintf("%s and %s are the same token; requests with it are counted under token.index %d", slotName(j), slotName(i), i))
			}
		}
		a.tokens.digests[i] = sha256.Sum256([]byte(tok))
		a.tokens.inUse[i] = 1
		a.tokens.any = true
	}
	for name, value := range cfg.RequiredHeaders {
		a.headers = append(a.headers, requiredHeader{
			name: http.CanonicalHeaderKey(name),
			want: sha256.Sum256([]byte(value)),
		})
	}
	slices.SortFunc(a.headers, func(x, y requiredHeader) int { return strings.Compare(x.name, y.name) })
	return a, nil
}

// tokenCount is how many token slots are in use.
func (a *authChecker) tokenCount() int {
	n := 0
	for _, u := range a.tokens.inUse {
		n += u
	}
	return n
}

// headerNames lists the required header names (names are not secret).
func (a *authChecker) headerNames() []string {
	names := make([]string, len(a.headers))
	for i, h := range a.headers {
		names[i] = h.name
	}
	return names
}

// enabled reports whether any secret is required at all.
func (a *authChecker) enabled() bool { return a.tokens.any || len(a.headers) > 0 }

// check decides whether req may proceed. tokenIndex is the slot of the
// matching token, or -1 when no token is configured or the request is
// refused. The reason never contains a header's value, only its name.
// Both the token and every required header are always compared, so a
// refusal takes as long whichever part is wrong.
func (a *authChecker) check(req *http.Request, audit authAudit) (ok bool, tokenIndex int, reason string) {
	tokenOK, tokenIndex, tokenReason := a.checkToken(req.Header, audit)
	headersOK, headerReason := a.checkHeaders(req.Header, audit)
	switch {
	case !tokenOK:
		return false, -1, tokenReason
	case !headersOK:
		return false, -1, headerReason
	}
	return true, tokenIndex, ""
}

// authAudit learns what the checks found, never a value: the request
// inspector implements it. nil when nobody listens.
type authAudit interface {
	Authorization(values []string, matched bool)
	Header(name string, present, matched bool)
}

func (a *authChecker) checkToken(h http.Header, audit authAudit) (bool, int, string) {
	if !a.tokens.any {
		return true, -1, ""
	}
	values, present := h["Authorization"]
	got := digestFirst(values)
	matched, index := a.tokens.match(&got)
	if audit != nil {
		audit.Authorization(values, matched == 1 && len(values) == 1)
	}
	switch {
	case !present:
		return false, -1, "missing Authorization header"
	case len(values) != 1:
		return false, -1, "Authorization header sent more than once"
	case matched != 1:
		return false, -1, "Authorization header does not match any configured token"
	}
	return true, index, ""
}

// match compares got with every slot, always all of them, with no branch
// on the contents: each comparison is crypto/subtle's, the verdicts are
// OR-ed and the index is picked with a constant-time select.
func (s *tokenSet) match(got *[sha256.Size]byte) (matched, index int) {
	for i := range s.digests {
		eq := subtle.ConstantTimeCompare(got[:], s.digests[i][:]) & s.inUse[i]
		matched |= eq
		index = subtle.ConstantTimeSelect(eq, i, index)
	}
	return matched, index
}

// checkHeaders compares every required header, then names the first (in
// name order) that is missing, repeated or wrong.
func (a *authChecker) checkHeaders(h http.Header, audit authAudit) (bool, string) {
	failed := -1
	var why string
	for i := range a.headers {
		rh := &a.headers[i]
		values, present := h[rh.name]
		got := digestFirst(values)
		eq := subtle.ConstantTimeCompare(got[:], rh.want[:])
		if audit != nil {
			audit.Header(rh.name, present, present && len(values) == 1 && eq == 1)
		}
		switch {
		case failed >= 0:
			// An earlier header is named; this one was still compared.
		case !present:
			failed, why = i, "missing required header "+rh.name
		case len(values) != 1:
			failed, why = i, "required header "+rh.name+" sent more than once"
		case eq != 1:
			failed, why = i, "required header "+rh.name+" does not match the configured value"
		}
	}
	return failed < 0, why
}

// digestFirst hashes the first value (or nothing), so that a missing or
// repeated header costs the same work as a present one.
func digestFirst(values []string) [sha256.Size]byte {
	if len(values) == 0 {
		return sha256.Sum256(nil)
	}
	return sha256.Sum256([]byte(values[0]))
}

// secrets are every configured token and required header value, for
// keeping them out of what the receiver shows.
func (cfg *Config) secrets() []string {
	var out []string
	for _, t := range cfg.tokenSlots() {
		if t != "" {
			out = append(out, t)
		}
	}
	for _, v := range cfg.RequiredHeaders {
		if v != "" {
			out = append(out, string(v))
		}
	}
	return out
}

// tokenSlots is authorization_token followed by authorization_tokens, in
// slot order; empty entries keep their slot.
func (cfg *Config) tokenSlots() []string {
	slots := make([]string, 0, 1+len(cfg.AuthorizationTokens))
	slots = append(slots, string(cfg.AuthorizationToken))
	for _, t := range cfg.AuthorizationTokens {
		slots = append(slots, string(t))
	}
	return slots
}

// validateAuth checks the token and header settings. Errors name positions
// and header names, never values.
func (cfg *Config) validateAuth() []error {
	var errs []error
	if n := len(cfg.AuthorizationTokens); n > maxTokens-1 {
		errs = append(errs, fmt.Errorf("authorization_tokens has %d entries; at most %d are allowed", n, maxTokens-1))
	}
	if n := len(cfg.RequiredHeaders); n > maxRequiredHeaders {
		errs = append(errs, fmt.Errorf("required_headers has %d entries; at most %d are allowed", n, maxRequiredHeaders))
	}
	seen := map[string]string{}
	names := make([]string, 0, len(cfg.RequiredHeaders))
	for name := range cfg.RequiredHeaders {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			errs = append(errs, fmt.Errorf("required_headers: %q is not a valid header name", name))
			continue
		case canonical == "Authorization":
			errs = append(errs, errors.New("required_headers: Authorization is checked by authorization_token(s), not here"))
		case cfg.RequiredHeaders[name] == "":
			errs = append(errs, fmt.Errorf("required_headers: %s has an empty value", canonical))
		}
		if other, dup := seen[canonical]; dup {
			errs = append(errs, fmt.Errorf("required_headers: %q and %q are the same header (names are case-insensitive)", other, name))
		}
		seen[canonical] = name
	}
	return errs
}

func slotName(i int) string {
	if i == 0 {
		return "authorization_token"
	}
	return fmt.Sprintf("authorization_tokens[%d]", i-1)
}
