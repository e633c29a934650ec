// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"slices"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
)

// Outcome is the class Auth0's Dashboard files a type code under. It is
// read from the receiver's catalog, the one table of type codes.
type Outcome string

// Outcome values.
const (
	Success Outcome = "success"
	Info    Outcome = "info"
	Warning Outcome = "warning"
	Failure Outcome = "failure"
)

// kind selects which shape of data an event gets; several codes share one.
type kind int

const (
	kindLogin kind = iota
	kindSilent
	kindCodeExchange
	kindRefreshExchange
	kindClientCredentials
	kindCrossOrigin
	kindMgmtWrite
	kindMgmtRead
	kindLogout
	kindSignup
	kindMFA
	kindBlocked
	kindNotice
)

type typeSpec struct {
	code        string
	weight      int
	kind        kind
	description string
	errMessage  string // details.error.message; empty for non-failures
}

// outcome is the catalog's class of the code.
func (s *typeSpec) outcome() Outcome {
	et, _ := catalog.Lookup(s.code) // init made sure it is there
	return Outcome(et.Outcome)
}

// The weights give the day-to-day mix of a busy tenant: logins, silent
// auth, token exchanges and Management API traffic dominate.
var okTypes = []typeSpec{
	{"s", 26, kindLogin, "", ""},
	{"ssa", 20, kindSilent, "", ""},
	{"seacft", 16, kindCodeExchange, "Authorization Code for Access Token", ""},
	{"seccft", 12, kindClientCredentials, "Client Credentials for Access Token", ""},
	{"sapi", 8, kindMgmtWrite, "", ""},
	{"mgmt_api_read", 10, kindMgmtRead, "", ""},
	{"sertft", 4, kindRefreshExchange, "Refresh Token for Access Token", ""},
	{"slo", 2, kindLogout, "User successfully logged out.", ""},
	{"ss", 1, kindSignup, "", ""},
	{"scoa", 1, kindCrossOrigin, "", ""},
	{"gd_start_auth", 1, kindMFA, "Second factor authentication event started for MFA.", ""},
	{"mfar", 1, kindLogin, "Multifactor authentication required", ""},
}

var failTypes = []typeSpec{
	{"fp", 24, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"f", 10, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"fu", 14, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"fsa", 16, kindSilent, "Login required", "Login required"},
	{"feacft", 8, kindCodeExchange, "Invalid authorization code", "Invalid authorization code"},
	{"fertft", 8, kindRefreshExchange, "Unknown or invalid refresh token.", "Unknown or invalid refresh token."},
	{"feccft", 4, kindClientCredentials, "Unauthorized", "Client is not authorized to access \"https://api.acme.example/\". You need to create a \"client-grant\" associated to this API."},
	{"fcoa", 6, kindCrossOrigin, "Wrong email or password.", "Wrong email or password."},
	{"limit_wc", 3, kindBlocked, "Too many failed login attempts. The account has been blocked.", "Too many failed login attempts"},
	{"pwd_leak", 2, kindBlocked, "Breached password", "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application)."},
	{"api_limit", 2, kindNotice, "Global per second default group limit has been reached", "Too many requests"},
	{"gd_auth_failed", 3, kindMFA, "Invalid OTP code.", "Invalid OTP code."},
}

var warnTypes = []typeSpec{
	{"w", 4, kindLogin, "Warning during login: the connection is using a deprecated setting.", ""},
	{"depnote", 1, kindNotice, "Legacy Lock flows are deprecated and will stop working soon.", ""},
	{"api_limit_warning", 1, kindNotice, "Rate limit warning: 80% of the per-second limit reached", ""},
	{"wn", 1, kindNotice, "Warning sending notification: email provider returned a soft bounce.", ""},
}

// The groups draw failures, warnings and the rest separately (FailureRatio);
// each code's outcome comes from the catalog, and a group that disagrees
// with it is a programming error caught at start.
func init() {
	for _, g := range []struct {
		specs []typeSpec
		allow []Outcome
	}{{okTypes, []Outcome{Success, Info}}, {failTypes, []Outcome{Failure}}, {warnTypes, []Outcome{Warning}}} {
		for i := range g.specs {
			spec := &g.specs[i]
			et, ok := catalog.Lookup(spec.code)
			if !ok {
				panic("auth0gen: type " + spec.code + " is not in the receiver's catalog")
			}
			if !slices.Contains(g.allow, Outcome(et.Outcome)) {
				panic("auth0gen: type " + spec.code + " is " + et.Outcome + " in the catalog, not in its group")
			}
		}
	}
}

// picker draws a typeSpec by weight.
type picker struct {
	specs []typeSpec
	cum   []int
}

func newPicker(specs []typeSpec) picker {
	p := picker{specs: specs, cum: make([]int, len(specs))}
	total := 0
	for i, s := range specs {
		total += s.weight
		p.cum[i] = total
	}
	return p
}

func (p picker) pick(n int) *typeSpec {
	x := n % p.cum[len(p.cum)-1]
	for i, c := range p.cum {
		if x < c {
			return &p.specs[i]
		}
	}
	return &p.specs[len(p.specs)-1]
}

func (p picker) total() int { return p.cum[len(p.cum)-1] }
