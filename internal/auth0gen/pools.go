// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

type user struct {
	id, name string
	conn     int
	logins   int64
}

type client struct {
	id, name string
	machine  bool // machine-to-machine apps get client credentials grants
}

type connection struct {
	name, id, strategy, strategyType string
}

type userAgent struct {
	raw, parsed string
	mobile      bool
}

type location struct {
	cc, cc3, country, city, tz, continent string
	lat, lon                              float64
}

var connections = []connection{
	{"Username-Password-Authentication", "", "auth0", "database"},
	{"google-oauth2", "", "google-oauth2", "social"},
	{"github", "", "github", "social"},
	{"acme-okta", "", "okta", "enterprise"},
	{"email", "", "email", "passwordless"},
}

var clientNames = []struct {
	name    string
	machine bool
}{
	{"Acme Web Portal", false},
	{"Acme iOS", false},
	{"Acme Android", false},
	{"Partner Dashboard", false},
	{"Support Console", false},
	{"", false}, // Auth0 sends client_name "" for some apps
	{"Billing Service (M2M)", true},
	{"Reporting Worker", true},
	{"Terraform Provider", true},
	{"Auth0 Management API (Test Application)", true},
}

var userAgents = []userAgent{
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome 120.0.0 / Mac OS X 10.15.7", false},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", "Edge 124.0.2478 / Windows 10.0.0", false},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox 125.0.0 / Windows 10.0.0", false},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", "Mobile Safari 17.4.1 / iOS 17.4.1", true},
	{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.118 Mobile Safari/537.36", "Chrome Mobile 123.0.6312 / Android 14.0.0", true},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Safari 17.4.1 / Mac OS X 14.4.1", false},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36", "Chrome 122.0.0 / Linux 0.0.0", false},
	{"Mozilla/5.0 (iPad; CPU OS 16_7_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.101 Mobile/15E148 Safari/604.1", "Chrome Mobile iOS 123.0.6312 / iOS 16.7.7", true},
}

// Server-side callers (client credentials, Management API) use SDK agents.
var serverAgents = []string{
	"node-auth0/4.4.0 node.js/20.12.2",
	"Go-http-client/2.0",
	"python-requests/2.31.0",
	"Terraform/1.8.2 terraform-provider-auth0/1.2.0",
	"okhttp/4.12.0",
}

var locations = []location{
	{"US", "USA", "United States", "Ashburn", "America/New_York", "NA", 39.0469, -77.4903},
	{"DE", "DEU", "Germany", "Frankfurt am Main", "Europe/Berlin", "EU", 50.1188, 8.6843},
	{"GB", "GBR", "United Kingdom", "London", "Europe/London", "EU", 51.5164, -0.093},
	{"BR", "BRA", "Brazil", "São Paulo", "America/Sao_Paulo", "SA", -23.5335, -46.6359},
	{"JP", "JPN", "Japan", "Tokyo", "Asia/Tokyo", "AS", 35.6893, 139.6899},
	{"IN", "IND", "India", "Bengaluru", "Asia/Kolkata", "AS", 12.9634, 77.5855},
	{"AU", "AUS", "Australia", "Sydney", "Australia/Sydney", "OC", -33.8715, 151.2006},
	{"FR", "FRA", "France", "Lyon", "Europe/Paris", "EU", 45.7485, 4.8467},
}

var firstNames = []string{"alice", "bob", "carla", "dmitri", "emma", "farah", "giulia", "hiro", "ines", "jonas", "kofi", "lena", "mateo", "nora", "oskar", "priya", "quinn", "rafael", "sofia", "tomás", "uma", "viktor", "wei", "yara", "zoe"}
var lastNames = []string{"smith", "muller", "garcia", "tanaka", "kowalski", "nguyen", "okafor", "rossi", "silva", "johansson", "dubois", "patel", "kim", "novak", "o'brien"}
var mailDomains = []string{"example.com", "mail.example.org", "acme.example", "corp.example.net"}

var audiences = []string{
	"https://api.acme.example/",
	"https://billing.acme.example/v1",
	"https://acme-prod.eu.auth0.com/api/v2/",
	"https://acme-prod.eu.auth0.com/userinfo",
}

var userScopes = []string{"openid", "profile", "email", "offline_access", "read:orders", "write:orders"}
var m2mScopes = []string{"read:users", "update:users", "read:clients", "read:logs", "create:invoices", "read:invoices", "delete:sessions"}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randString draws n characters from alphabet (at most 64 long), six bits of
// one 64-bit draw per character: ids are a large share of each event, and
// one draw per character made them the generator's main cost. The small
// bias towards the first characters does not matter for test data.
func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	var bits uint64
	left := 0
	for i := range b {
		if left == 0 {
			bits, left = r.Uint64(), 10
		}
		b[i] = alphabet[int(bits&63)%len(alphabet)]
		bits >>= 6
		left--
	}
	return string(b)
}

func buildUsers(r *rand.Rand, n int) []user {
	users := make([]user, n)
	for i := range users {
		first := firstNames[r.IntN(len(firstNames))]
		last := lastNames[r.IntN(len(lastNames))]
		ci := r.IntN(len(connections))
		if r.IntN(3) > 0 {
			ci = 0 // most users sit in the database connection
		}
		c := connections[ci]
		var id string
		switch c.strategy {
		case "auth0":
			id = "auth0|" + randString(r, hexDigits, 24)
		case "email":
			id = "email|" + randString(r, hexDigits, 24)
		case "okta":
			id = "okta|acme-okta|00u" + randString(r, alnum, 17)
		default:
			id = c.strategy + "|1" + fmt.Sprintf("%020d", r.Uint64()%1e19)
		}
		name := first + "." + last + strconv.Itoa(r.IntN(100)) + "@" + mailDomains[r.IntN(len(mailDomains))]
		users[i] = user{id: id, name: name, conn: ci, logins: int64(1 + r.IntN(900))}
	}
	return users
}

func buildClients(r *rand.Rand) []client {
	cs := make([]client, len(clientNames))
	for i, c := range clientNames {
		cs[i] = client{id: randString(r, alnum, 32), name: c.name, machine: c.machine}
	}
	return cs
}

func buildConnections(r *rand.Rand) []connection {
	cs := make([]connection, len(connections))
	copy(cs, connections)
	for i := range cs {
		cs[i].id = "con_" + randString(r, alnum, 16)
	}
	return cs
}

func appendIPv4(b []byte, r *rand.Rand) []byte {
	b = strconv.AppendInt(b, int64(1+r.IntN(223)), 10)
	for range 3 {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(r.IntN(256)), 10)
	}
	return b
}

func appendIPv6(b []byte, r *rand.Rand) []byte {
	prefixes := [...]string{"2a02:c7c", "2001:db8", "2600:1700", "2a01:e0a", "2406:da14"}
	b = append(b, prefixes[r.IntN(len(prefixes))]...)
	for range 6 {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(r.IntN(0x10000)), 16)
	}
	return b
}
