// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

// The writers below lay out "data" the way Auth0's tenant logs do: common
// fields first, then type-specific details, then tenant metadata. Field
// presence varies on purpose (isMobile vs is_mobile, scope as array or
// string, optional location_info) because receivers must cope with it.

type eventCtx struct {
	spec    *typeSpec
	user    *user
	client  *client
	conn    *connection
	ua      *userAgent
	ip      []byte
	server  bool // server-side caller: SDK agent, no browser fields
	sessID  string
	startMs int64
	op      *apiOp // Management API operation, for sapi and mgmt_api_read
}

func (g *Generator) writeData(w *jw, spec *typeSpec, id string) {
	r := g.r
	c := eventCtx{spec: spec}
	c.user = &g.users[r.IntN(len(g.users))]
	c.conn = &g.conns[c.user.conn]
	c.server = spec.kind == kindClientCredentials || spec.kind == kindMgmtWrite ||
		spec.kind == kindMgmtRead || spec.kind == kindNotice
	c.client = g.pickClient(c.server)
	c.ua = &userAgents[r.IntN(len(userAgents))]
	if r.IntN(100) < 15 {
		c.ip = appendIPv6(make([]byte, 0, 40), r)
	} else {
		c.ip = appendIPv4(make([]byte, 0, 16), r)
	}
	c.startMs = g.now.UnixMilli() - int64(200+r.IntN(4000))
	c.sessID = randString(r, alnum, 32)
	switch spec.kind {
	case kindMgmtWrite:
		c.op = &apiWrites[r.IntN(len(apiWrites))]
	case kindMgmtRead:
		c.op = &apiReads[r.IntN(len(apiReads))]
	}

	w.key("date")
	w.sep()
	w.b = append(w.b, '"')
	w.b = g.now.AppendFormat(w.b, "2006-01-02T15:04:05.000Z07:00")
	w.b = append(w.b, '"')
	w.comma = true
	w.kstr("type", spec.code)
	w.kstr("description", g.description(&c))

	if !c.server {
		w.kstr("connection", c.conn.name)
		w.kstr("connection_id", c.conn.id)
	}
	w.kstr("client_id", c.client.id)
	w.kstr("client_name", c.client.name)
	w.key("ip")
	w.str(string(c.ip))
	if r.IntN(4) == 0 {
		w.key("client_ip")
		w.null()
	}
	w.kstr("user_agent", g.agent(&c))

	w.key("details")
	g.writeDetails(w, &c)

	w.kstr("hostname", g.host())
	uid, uname := g.identity(&c)
	w.kstr("user_id", uid)
	w.kstr("user_name", uname)
	if (c.server && spec.kind != kindNotice) || spec.kind == kindCodeExchange || spec.kind == kindRefreshExchange || spec.kind == kindSilent {
		w.kstr("audience", audiences[r.IntN(len(audiences))])
		w.key("scope")
		g.writeScope(w, c.server)
	}
	if !c.server {
		w.kstr("strategy", c.conn.strategy)
		w.kstr("strategy_type", c.conn.strategyType)
	}
	if r.IntN(10) == 0 {
		w.kstr("organization_id", "org_"+randString(r, alnum, 16))
		w.kstr("organization_name", "customer-"+randString(r, "abcdefghijklmnopqrstuvwxyz", 6))
	}
	w.kopen("$event_schema", '{')
	w.kstr("version", "1.0.0")
	w.close('}')
	w.kstr("log_id", id)
	w.kstr("tenant_name", g.opts.Tenant)
	w.kstr("environment_name", g.opts.Environment)
	if !c.server {
		g.writeClientInfo(w, &c)
	}
	if r.IntN(5) == 0 {
		w.kopen("references", '{')
		w.kstr("correlation_id", randString(r, hexDigits, 32))
		w.kstr("trace_id", randString(r, hexDigits, 32))
		w.close('}')
	}
}

func (g *Generator) pickClient(server bool) *client {
	for range 16 {
		c := &g.clients[g.r.IntN(len(g.clients))]
		if c.machine == server {
			return c
		}
	}
	return &g.clients[0]
}

// host is usually the canonical tenant domain, sometimes a custom domain.
func (g *Generator) host() string {
	if g.r.IntN(5) == 0 {
		return "login.acme.example"
	}
	return g.hostname
}

// agent is parsed ("Chrome 120.0.0 / Mac OS X 10.15.7") on most events and
// raw on the rest, as both occur in real streams.
func (g *Generator) agent(c *eventCtx) string {
	if c.server {
		return serverAgents[g.r.IntN(len(serverAgents))]
	}
	if g.r.IntN(3) == 0 {
		return c.ua.raw
	}
	return c.ua.parsed
}

func (g *Generator) identity(c *eventCtx) (id, name string) {
	switch c.spec.code {
	case "fu":
		return "", c.user.name // the typed name matched no user
	case "f", "fsa":
		if g.r.IntN(2) == 0 {
			return "", ""
		}
	case "api_limit", "depnote", "api_limit_warning", "wn":
		return "", ""
	}
	switch c.spec.kind {
	case kindClientCredentials:
		return "", ""
	case kindMgmtWrite, kindMgmtRead:
		// Management API calls are made by an admin or a machine client.
		if g.r.IntN(2) == 0 {
			return "", ""
		}
		a := &admins[g.r.IntN(len(admins))]
		return a.id, a.email
	}
	return c.user.id, c.user.name
}

func (g *Generator) writeScope(w *jw, server bool) {
	pool := userScopes
	if server {
		pool = m2mScopes
	}
	n := 2 + g.r.IntN(len(pool)-1)
	start := g.r.IntN(len(pool))
	if g.r.IntN(2) == 0 {
		w.open('[')
		for i := range n {
			w.str(pool[(start+i)%len(pool)])
		}
		w.close(']')
		return
	}
	b := make([]byte, 0, 80)
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, pool[(start+i)%len(pool)]...)
	}
	w.str(string(b))
}

func (g *Generator) writeClientInfo(w *jw, c *eventCtx) {
	r := g.r
	if r.IntN(5) < 3 {
		w.kopen("auth0_client", '{')
		switch r.IntN(3) {
		case 0:
			w.kstr("name", "auth0-spa-js")
			w.kstr("version", "2.1.3")
		case 1:
			w.kstr("name", "auth0-react")
			w.kstr("version", "2.2.4")
			w.kopen("env", '{')
			w.kstr("auth0-spa-js", "2.1.3")
			w.close('}')
		default:
			w.kstr("name", "Auth0.swift")
			w.kstr("version", "2.7.2")
			w.kopen("env", '{')
			w.kstr("swift", "5.x")
			w.kstr("iOS", "17.4")
			w.close('}')
		}
		w.close('}')
	}
	w.kopen("security_context", '{')
	w.kstr("ja3", randString(r, hexDigits, 32))
	w.kstr("ja4", "t13d1516h2_8daaf6152771_"+randString(r, hexDigits, 12))
	w.close('}')
	switch r.IntN(10) {
	case 0, 1, 2:
		w.kbool("isMobile", c.ua.mobile)
	case 9:
	default:
		w.kbool("is_mobile", c.ua.mobile)
	}
	if r.IntN(4) == 0 {
		l := &locations[r.IntN(len(locations))]
		w.kopen("location_info", '{')
		w.kstr("country_code", l.cc)
		w.kstr("country_code3", l.cc3)
		w.kstr("country_name", l.country)
		w.kstr("city_name", l.city)
		w.key("latitude")
		w.float(l.lat)
		w.key("longitude")
		w.float(l.lon)
		w.kstr("time_zone", l.tz)
		w.kstr("continent_code", l.continent)
		w.close('}')
	}
}

func (g *Generator) description(c *eventCtx) string {
	if c.op != nil {
		return c.op.desc
	}
	return c.spec.description
}
