package auth0gen

// Outcome is the class Auth0's Dashboard files a type code under, as listed
// in the shared event-types catalog.
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
	outcome     Outcome
	weight      int
	kind        kind
	description string
	errMessage  string // details.error.message; empty for non-failures
}

// The weights give the day-to-day mix of a busy tenant: logins, silent
// auth, token exchanges and Management API traffic dominate.
var okTypes = []typeSpec{
	{"s", Success, 26, kindLogin, "", ""},
	{"ssa", Success, 20, kindSilent, "", ""},
	{"seacft", Success, 16, kindCodeExchange, "Authorization Code for Access Token", ""},
	{"seccft", Success, 12, kindClientCredentials, "Client Credentials for Access Token", ""},
	{"sapi", Success, 8, kindMgmtWrite, "", ""},
	{"mgmt_api_read", Success, 10, kindMgmtRead, "", ""},
	{"sertft", Success, 4, kindRefreshExchange, "Refresh Token for Access Token", ""},
	{"slo", Success, 2, kindLogout, "User successfully logged out.", ""},
	{"ss", Success, 1, kindSignup, "", ""},
	{"scoa", Success, 1, kindCrossOrigin, "", ""},
	{"gd_start_auth", Success, 1, kindMFA, "Second factor authentication event started for MFA.", ""},
	{"mfar", Info, 1, kindLogin, "Multifactor authentication required", ""},
}

var failTypes = []typeSpec{
	{"fp", Failure, 24, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"f", Failure, 10, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"fu", Failure, 14, kindLogin, "Wrong email or password.", "Wrong email or password."},
	{"fsa", Failure, 16, kindSilent, "Login required", "Login required"},
	{"feacft", Failure, 8, kindCodeExchange, "Invalid authorization code", "Invalid authorization code"},
	{"fertft", Failure, 8, kindRefreshExchange, "Unknown or invalid refresh token.", "Unknown or invalid refresh token."},
	{"feccft", Failure, 4, kindClientCredentials, "Unauthorized", "Client is not authorized to access \"https://api.acme.example/\". You need to create a \"client-grant\" associated to this API."},
	{"fcoa", Failure, 6, kindCrossOrigin, "Wrong email or password.", "Wrong email or password."},
	{"limit_wc", Failure, 3, kindBlocked, "Too many failed login attempts. The account has been blocked.", "Too many failed login attempts"},
	{"pwd_leak", Failure, 2, kindBlocked, "Breached password", "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application)."},
	{"api_limit", Failure, 2, kindNotice, "Global per second default group limit has been reached", "Too many requests"},
	{"gd_auth_failed", Failure, 3, kindMFA, "Invalid OTP code.", "Invalid OTP code."},
}

var warnTypes = []typeSpec{
	{"w", Warning, 4, kindLogin, "Warning during login: the connection is using a deprecated setting.", ""},
	{"depnote", Warning, 1, kindNotice, "Legacy Lock flows are deprecated and will stop working soon.", ""},
	{"api_limit_warning", Warning, 1, kindNotice, "Rate limit warning: 80% of the per-second limit reached", ""},
	{"wn", Warning, 1, kindNotice, "Warning sending notification: email provider returned a soft bounce.", ""},
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
