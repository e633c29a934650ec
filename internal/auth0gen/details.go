// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

// apiOp is a Management API call as it shows up in sapi and mgmt_api_read
// details. The bodies are what make sapi events the largest in a stream.
type apiOp struct {
	desc, method, path string
	status             int
	query              bool
	reqBody, respBody  func(g *Generator, w *jw, c *eventCtx)
}

type admin struct{ id, name, email string }

var admins = []admin{
	{"google-oauth2|104857600118922734561", "Tenant Admin", "admin@acme.example"},
	{"auth0|64f1c0ffee0ddba11deadbeef", "Ops On-call", "oncall@acme.example"},
}

var apiWrites = []apiOp{
	{"Create a User", "post", "/api/v2/users", 201, false, reqCreateUser, respUser},
	{"Update a User", "patch", "/api/v2/users/", 200, false, reqUpdateUser, respUser},
	{"Delete a User", "delete", "/api/v2/users/", 204, false, nil, nil},
	{"Update a client", "patch", "/api/v2/clients/", 200, false, reqUpdateClient, respClient},
	{"Assign roles to a user", "post", "/api/v2/users/", 204, false, reqAssignRoles, nil},
	{"Update tenant settings", "patch", "/api/v2/tenants/settings", 200, false, reqTenantSettings, respTenantSettings},
}

var apiReads = []apiOp{
	{"Get users", "get", "/api/v2/users", 200, true, nil, nil},
	{"Get a User", "get", "/api/v2/users/", 200, false, nil, nil},
	{"Get clients", "get", "/api/v2/clients", 200, true, nil, nil},
	{"Get log events", "get", "/api/v2/logs", 200, true, nil, nil},
	{"Get roles", "get", "/api/v2/roles", 200, true, nil, nil},
}

func (g *Generator) writeDetails(w *jw, c *eventCtx) {
	r := g.r
	if c.spec.kind == kindClientCredentials && c.spec.outcome() != Failure {
		w.null() // Auth0 sends details: null on plain client credential grants
		return
	}
	w.open('{')
	switch c.spec.kind {
	case kindLogin, kindCrossOrigin, kindSignup:
		if c.spec.outcome() == Failure {
			g.writeError(w, c, "invalid_user_password", "authentication")
			break
		}
		if c.spec.kind == kindLogin {
			g.writePrompts(w, c)
		}
		g.writeTimes(w, c)
		w.kstr("session_id", c.sessID)
		w.kopen("stats", '{')
		w.kint("loginsCount", c.user.logins)
		w.close('}')
		if c.spec.kind == kindCrossOrigin {
			w.kstr("origin", "https://app.acme.example")
		}
		if c.spec.outcome() == Warning {
			w.kstr("warning", "The connection uses a legacy password hashing setting.")
		}
	case kindSilent:
		if c.spec.outcome() == Failure {
			g.writeError(w, c, "login_required", "oauth-authorization")
			break
		}
		w.kopen("prompts", '[')
		w.close(']')
		g.writeTimes(w, c)
		w.kstr("session_id", c.sessID)
	case kindCodeExchange, kindRefreshExchange:
		field := "code"
		if c.spec.kind == kindRefreshExchange {
			field = "refresh_token"
		}
		w.kstr(field, "*************"+randString(r, alnum, 3))
		if c.spec.outcome() == Failure {
			g.writeError(w, c, "invalid_grant", "oauth-authorization")
		}
	case kindClientCredentials:
		g.writeError(w, c, "access_denied", "oauth-authorization")
	case kindMgmtWrite, kindMgmtRead:
		g.writeAPICall(w, c)
	case kindLogout:
		w.kstr("return_to", "https://app.acme.example/logged-out")
		w.kopen("allowed_logout_url", '[')
		w.str("https://app.acme.example/logged-out")
		w.str("http://localhost:3000")
		w.close(']')
		w.kstr("session_id", c.sessID)
	case kindMFA:
		w.kopen("authenticator", '{')
		w.kstr("type", "otp")
		w.kstr("id", "totp|dev_"+randString(r, alnum, 16))
		w.close('}')
		if c.spec.outcome() == Failure {
			g.writeError(w, c, "invalid_otp", "mfa")
		}
	case kindBlocked:
		g.writeError(w, c, "too_many_attempts", "anomaly-detection")
		w.kint("timeRemaining", int64(r.IntN(900_000)))
	case kindNotice:
		w.kint("limit", 50)
		w.kstr("group", "tenant_global")
		if c.spec.outcome() == Failure {
			g.writeError(w, c, "too_many_requests", "rate-limit")
		}
	}
	w.close('}')
}

func (g *Generator) writeError(w *jw, c *eventCtx, oauth, typ string) {
	w.kopen("error", '{')
	w.kstr("message", c.spec.errMessage)
	w.kstr("oauthError", oauth)
	w.kstr("type", typ)
	w.close('}')
}

func (g *Generator) writeTimes(w *jw, c *eventCtx) {
	end := g.now.UnixMilli()
	w.kint("initiatedAt", c.startMs)
	w.kint("completedAt", end)
	w.kint("elapsedTime", end-c.startMs)
}

func (g *Generator) writePrompts(w *jw, c *eventCtx) {
	end := g.now.UnixMilli()
	mid := c.startMs + (end-c.startMs)/2
	w.kopen("prompts", '[')
	w.open('{')
	w.kstr("name", "prompt-authenticate")
	w.kint("completedAt", mid)
	w.kstr("connection", c.conn.name)
	w.kstr("connection_id", c.conn.id)
	w.kstr("strategy", c.conn.strategy)
	w.kstr("identity", c.user.id)
	w.kopen("stats", '{')
	w.kint("loginsCount", c.user.logins)
	w.close('}')
	w.kint("elapsedTime", mid-c.startMs)
	w.close('}')
	w.open('{')
	w.kstr("name", "login")
	w.kstr("flow", "universal-login")
	w.kint("initiatedAt", c.startMs)
	w.kint("completedAt", end)
	w.kstr("user_id", c.user.id)
	w.kstr("user_name", c.user.name)
	w.kopen("timers", '{')
	w.kint("rules", int64(g.r.IntN(40)))
	w.close('}')
	w.kint("elapsedTime", end-c.startMs)
	w.close('}')
	w.close(']')
}

func (g *Generator) writeAPICall(w *jw, c *eventCtx) {
	op := c.op
	path := op.path
	if path[len(path)-1] == '/' {
		if path == "/api/v2/clients/" {
			path += c.client.id
		} else {
			path += c.user.id
		}
		if op.desc == "Assign roles to a user" {
			path += "/roles"
		}
	}
	w.kopen("request", '{')
	w.kstr("method", op.method)
	w.kstr("path", path)
	w.kopen("query", '{')
	if op.query {
		w.kint("page", int64(g.r.IntN(20)))
		w.kint("per_page", 50)
		w.kstr("include_totals", "true")
		if op.path == "/api/v2/users" {
			w.kstr("q", "email:\"*@"+mailDomains[g.r.IntN(len(mailDomains))]+"\"")
		}
	}
	w.close('}')
	w.kstr("userAgent", serverAgents[g.r.IntN(len(serverAgents))])
	if op.reqBody != nil {
		w.kopen("body", '{')
		op.reqBody(g, w, c)
		w.close('}')
	}
	w.kstr("channel", "https://manage.auth0.com/")
	w.key("ip")
	w.str(string(c.ip))
	w.kopen("auth", '{')
	w.kopen("user", '{')
	a := &admins[g.r.IntN(len(admins))]
	w.kstr("user_id", a.id)
	w.kstr("name", a.name)
	w.kstr("email", a.email)
	w.close('}')
	w.kstr("strategy", "jwt")
	w.kopen("credentials", '{')
	w.kstr("jti", randString(g.r, hexDigits, 32))
	w.kopen("scopes", '[')
	for _, s := range m2mScopes[:3+g.r.IntN(4)] {
		w.str(s)
	}
	w.close(']')
	w.close('}')
	w.close('}')
	w.close('}')
	w.kopen("response", '{')
	w.kint("statusCode", int64(op.status))
	if op.respBody != nil {
		w.kopen("body", '{')
		op.respBody(g, w, c)
		w.close('}')
	}
	w.close('}')
}

func reqCreateUser(g *Generator, w *jw, c *eventCtx) {
	w.kstr("email", c.user.name)
	w.kstr("password", "*****")
	w.kstr("connection", c.conn.name)
	w.kbool("email_verified", false)
	w.kopen("app_metadata", '{')
	w.kstr("plan", "pro")
	w.kstr("region", "eu")
	w.close('}')
}

func reqUpdateUser(g *Generator, w *jw, c *eventCtx) {
	w.kopen("user_metadata", '{')
	w.kstr("locale", "en-GB")
	w.kstr("theme", "dark")
	w.close('}')
	w.kbool("blocked", g.r.IntN(10) == 0)
}

func respUser(g *Generator, w *jw, c *eventCtx) {
	w.kstr("user_id", c.user.id)
	w.kstr("email", c.user.name)
	w.kbool("email_verified", false)
	w.kstr("created_at", "2024-03-02T08:11:45.120Z")
	w.kstr("updated_at", g.now.Format("2006-01-02T15:04:05.000Z07:00"))
	w.kopen("identities", '[')
	w.open('{')
	w.kstr("connection", c.conn.name)
	w.kstr("provider", c.conn.strategy)
	w.kstr("user_id", c.user.id[len(c.user.id)-24:])
	w.kbool("isSocial", c.conn.strategyType == "social")
	w.close('}')
	w.close(']')
}

func reqUpdateClient(g *Generator, w *jw, c *eventCtx) {
	w.kopen("callbacks", '[')
	w.str("https://app.acme.example/callback")
	w.str("http://localhost:3000/callback")
	w.close(']')
	w.kopen("allowed_logout_urls", '[')
	w.str("https://app.acme.example/logged-out")
	w.close(']')
	w.kstr("client_secret", "*****")
}

func respClient(g *Generator, w *jw, c *eventCtx) {
	w.kstr("client_id", c.client.id)
	w.kstr("name", c.client.name)
	w.kstr("app_type", "spa")
	w.kopen("grant_types", '[')
	w.str("authorization_code")
	w.str("refresh_token")
	w.close(']')
	w.kint("jwt_configuration_lifetime_in_seconds", 36000)
}

func reqAssignRoles(g *Generator, w *jw, c *eventCtx) {
	w.kopen("roles", '[')
	w.str("rol_" + randString(g.r, alnum, 16))
	w.close(']')
}

func reqTenantSettings(g *Generator, w *jw, c *eventCtx) {
	w.kopen("flags", '{')
	w.kbool("enable_client_connections", false)
	w.kbool("revoke_refresh_token_grant", false)
	w.close('}')
	w.kint("session_lifetime", 168)
	w.kint("idle_session_lifetime", 72)
}

func respTenantSettings(g *Generator, w *jw, c *eventCtx) {
	reqTenantSettings(g, w, c)
	w.kstr("friendly_name", "Acme Corp")
	w.kstr("support_email", "support@acme.example")
}
