// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package geoip resolves client addresses to geo.* attributes with a
// MaxMind DB (.mmdb) file: MaxMind's GeoIP2/GeoLite2 or DB-IP's City or
// Country edition.
//
// The file is memory-mapped, so the resident cost is the pages lookups
// touch, not the file size. It is watched for replacement (geoipupdate
// writes a new file and renames it over the old one) and reloaded without a
// restart; a lookup in flight finishes on the reader it started with, which is
// closed only afterwards.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/oschwald/maxminddb-golang/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"
)

// Attribute names, from the OpenTelemetry semantic conventions (geo.*).
const (
	AttrContinentCode = "geo.continent.code"
	AttrCountryISO    = "geo.country.iso_code"
	AttrRegionISO     = "geo.region.iso_code"
	AttrLocalityName  = "geo.locality.name"
	AttrPostalCode    = "geo.postal_code"
	AttrLocationLat   = "geo.location.lat"
	AttrLocationLon   = "geo.location.lon"
)

const (
	// DefaultCheckInterval is how often the file is checked for replacement.
	DefaultCheckInterval = time.Minute
	// MinCheckInterval bounds the cost of watching: one stat per interval.
	MinCheckInterval = time.Second
	// DefaultCacheSize is the number of addresses whose answers are kept.
	DefaultCacheSize = 4096
	// MaxCacheSize bounds the cache's memory (about 200 bytes an entry).
	MaxCacheSize = 1 << 20
)

// Options configure a DB.
type Options struct {
	// Path of the .mmdb file.
	Path string
	// CheckInterval is how often the file is stat'ed for replacement; 0 means
	// DefaultCheckInterval, a negative value turns watching off.
	CheckInterval time.Duration
	// CacheSize is how many addresses' answers are kept, least recently used
	// forgotten first; 0 turns the cache off.
	CacheSize int
	// Logger receives reloads (info), failed reloads (warn) and failed
	// lookups (debug). nil means no logging.
	Logger *zap.Logger
}

// DB looks addresses up in a MaxMind DB file and reloads the file when it is
// replaced. Its methods are safe for concurrent use.
type DB struct {
	path      string
	cacheSize int
	logger    *zap.Logger

	// mu guards cur. Lookups hold it for reading while they use the reader;
	// a reload takes it for writing only to swap the pointer, which waits for
	// the lookups in flight, and closes the old reader after releasing it.
	mu  sync.RWMutex
	cur *handle

	// Watching state, used only by the goroutine that calls Reload.
	reloadMu   sync.Mutex
	failed     fileStamp // the replacement that last failed to open, if failedSet
	failedSet  bool
	statFailed bool // the last stat failed; reported once

	stop chan struct{}
	done chan struct{}
}

// handle is one opened file and the answers cached from it: a cache belongs
// to one file, so a reload can never serve an answer from the old one.
type handle struct {
	reader *maxminddb.Reader
	stamp  fileStamp
	kind   string
	cache  *lru.Cache[string, location]
}

// fileStamp identifies one version of the file: geoipupdate replaces it with
// a new inode; an in-place rewrite changes its size or modification time.
type fileStamp struct {
	dev, ino uint64
	size     int64
	mtime    time.Time
}

// Open opens and checks the database and starts watching it. A missing,
// empty or corrupt file is an error that says which and where.
func Open(opts Options) (*DB, error) {
	if opts.Path == "" {
		return nil, errors.New("geoip: no database path")
	}
	if opts.CacheSize < 0 || opts.CacheSize > MaxCacheSize {
		return nil, fmt.Errorf("geoip: cache size %d is outside 0..%d", opts.CacheSize, MaxCacheSize)
	}
	interval := opts.CheckInterval
	if interval == 0 {
		interval = DefaultCheckInterval
	}
	if interval > 0 && interval < MinCheckInterval {
		return nil, fmt.Errorf("geoip: check interval %s is below the minimum %s", interval, MinCheckInterval)
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	d := &DB{path: opts.Path, cacheSize: opts.CacheSize, logger: logger}
	h, err := d.open()
	if err != nil {
		return nil, err
	}
	d.cur = h
	logger.Info("GeoIP database loaded", zap.String("path", d.path), zap.String("database_type", h.kind),
		zap.Time("build_time", h.reader.Metadata.BuildTime()))
	if interval > 0 {
		d.stop, d.done = make(chan struct{}), make(chan struct{})
		go d.watch(interval)
	}
	return d, nil
}

// open maps the file and checks that it is a readable MaxMind DB: the
// metadata and search tree must be consistent (the reader checks that), and
// a probe lookup must decode. Reading every record (Reader.Verify) would
// cost seconds on a full City file at every start and reload; the reader
// bounds-checks every access, so damage elsewhere costs only the lookups
// that hit it, each with a debug line.
func (d *DB) open() (*handle, error) {
	fi, err := os.Stat(d.path)
	if err != nil {
		return nil, fmt.Errorf("geoip: database %s: %w", d.path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("geoip: database %s is not a regular file", d.path)
	}
	r, err := maxminddb.Open(d.path)
	if err != nil {
		return nil, fmt.Errorf("geoip: database %s is not a readable MaxMind DB file: %w", d.path, err)
	}
	kind := r.Metadata.DatabaseType
	var probe record
	for _, a := range probeAddrs {
		if a.Is6() && r.Metadata.IPVersion == 4 {
			continue
		}
		if err := r.Lookup(a).Decode(&probe); err != nil {
			_ = r.Close()
			return nil, fmt.Errorf("geoip: database %s (%s) is corrupt: looking up %s: %w", d.path, kind, a, err)
		}
	}
	h := &handle{reader: r, stamp: stampOf(fi), kind: kind}
	if d.cacheSize > 0 {
		h.cache, _ = lru.New[string, location](d.cacheSize) // size checked in Open
	}
	return h, nil
}

// probeAddrs are looked up once when a file is opened: one IPv4 and one IPv6
// address with records in every full database.
var probeAddrs = []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:4860:4860::8888")}

func stampOf(fi os.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = uint64(st.Dev), uint64(st.Ino) //nolint:unconvert // field types differ by platform
	}
	return s
}

func (d *DB) watch(interval time.Duration) {
	defer close(d.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			if _, err := d.Reload(); err != nil {
				d.logger.Warn("GeoIP database was replaced but cannot be loaded; keeping the previous one",
					zap.String("path", d.path), zap.Error(err))
			}
		}
	}
}

// Reload checks the file now and, when it was replaced, opens the new one
// and swaps it in. It reports whether it swapped. A replacement that cannot
// be opened leaves the current database in use and is reported once; it is
// tried again when the file changes again. The watcher calls Reload; tests
// call it to avoid waiting.
func (d *DB) Reload() (bool, error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	fi, err := os.Stat(d.path)
	if err != nil {
		// Removed by hand, or between an unlink and a rename: the mapped file
		// is still readable, so carry on with it.
		if d.statFailed {
			return false, nil
		}
		d.statFailed = true
		return false, fmt.Errorf("geoip: database %s: %w", d.path, err)
	}
	d.statFailed = false
	stamp := stampOf(fi)
	d.mu.RLock()
	unchanged := d.cur != nil && d.cur.stamp == stamp
	d.mu.RUnlock()
	if unchanged || (d.failedSet && stamp == d.failed) {
		return false, nil
	}
	h, err := d.open()
	if err != nil {
		d.failed, d.failedSet = stamp, true
		return false, err
	}
	d.failedSet = false
	d.mu.Lock()
	old := d.cur
	if old == nil { // closed meanwhile
		d.mu.Unlock()
		_ = h.reader.Close()
		return false, nil
	}
	d.cur = h
	d.mu.Unlock()
	// Every lookup that held the old reader released the read lock before
	// the swap could happen, so nothing uses it any more.
	_ = old.reader.Close()
	d.logger.Info("GeoIP database reloaded", zap.String("path", d.path), zap.String("database_type", h.kind),
		zap.Time("build_time", h.reader.Metadata.BuildTime()))
	return true, nil
}

// Close stops watching and unmaps the file. Lookups after Close add nothing.
func (d *DB) Close() error {
	if d.stop != nil {
		close(d.stop)
		<-d.done
		d.stop = nil
	}
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	d.mu.Lock()
	h := d.cur
	d.cur = nil
	d.mu.Unlock()
	if h == nil {
		return nil
	}
	return h.reader.Close()
}

// DatabaseType is the open file's type, e.g. GeoLite2-City or DBIP-City-Lite.
func (d *DB) DatabaseType() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.cur == nil {
		return ""
	}
	return d.cur.kind
}

// record is what is read from the database: the fields of the GeoIP2 City
// and Country layouts (which DB-IP's files follow) that map to geo.*.
// Country editions lack city, subdivisions, postal and location; DB-IP's
// lite files lack subdivision codes and postal codes.
type record struct {
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"subdivisions"`
	City struct {
		Names struct {
			En string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// location is the answer for one address, as cached.
type location struct {
	continent, country, region, locality, postal string
	lat, lon                                     float64
	hasCoords                                    bool
}

func (l *location) fromRecord(r *record) {
	*l = location{
		continent: r.Continent.Code,
		country:   r.Country.ISOCode,
		locality:  r.City.Names.En,
		postal:    r.Postal.Code,
	}
	// ISO 3166-2, as the semantic conventions want it: the country code and
	// the most general subdivision's code, e.g. GB-ENG or US-CA.
	if len(r.Subdivisions) > 0 && r.Subdivisions[0].ISOCode != "" && l.country != "" {
		l.region = l.country + "-" + r.Subdivisions[0].ISOCode
	}
	if r.Location.Latitude != nil && r.Location.Longitude != nil {
		l.lat, l.lon, l.hasCoords = *r.Location.Latitude, *r.Location.Longitude, true
	}
}

func (l *location) put(attrs pcommon.Map) {
	putNonEmpty(attrs, AttrContinentCode, l.continent)
	putNonEmpty(attrs, AttrCountryISO, l.country)
	putNonEmpty(attrs, AttrRegionISO, l.region)
	putNonEmpty(attrs, AttrLocalityName, l.locality)
	putNonEmpty(attrs, AttrPostalCode, l.postal)
	if l.hasCoords {
		attrs.PutDouble(AttrLocationLat, l.lat)
		attrs.PutDouble(AttrLocationLon, l.lon)
	}
}

func putNonEmpty(attrs pcommon.Map, k, v string) {
	if v != "" {
		attrs.PutStr(k, v)
	}
}

// HasGeo reports whether attrs already hold any geo.* attribute, such as
// those mapped from Auth0's own location_info.
func HasGeo(attrs pcommon.Map) bool {
	found := false
	attrs.Range(func(k string, _ pcommon.Value) bool {
		found = strings.HasPrefix(k, "geo.")
		return !found
	})
	return found
}

// Lookup sets the geo.* attributes the database has for addr. It adds
// nothing, and reports no error, when attrs already hold a geo.* attribute
// (a location resolved when the event happened wins, as a whole: mixing
// two sources could pair one city with another's postal code), when addr
// is not an IP address, is private, loopback, link-local, multicast or
// unspecified, or when the database has no record for it.
func (d *DB) Lookup(addr string, attrs pcommon.Map) {
	if addr == "" || HasGeo(attrs) {
		return
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	h := d.cur
	if h == nil {
		return
	}
	if h.cache != nil {
		if loc, ok := h.cache.Get(addr); ok {
			loc.put(attrs)
			return
		}
	}
	ip, ok := publicAddr(addr)
	if !ok {
		return
	}
	if ip.Is6() && h.reader.Metadata.IPVersion == 4 {
		return // an IPv4-only file has no answer, and asking is an error
	}
	var rec record
	if err := h.reader.Lookup(ip).Decode(&rec); err != nil {
		d.logger.Debug("GeoIP lookup failed", zap.String("address", addr), zap.Error(err))
		return
	}
	var loc location
	loc.fromRecord(&rec)
	if h.cache != nil {
		// A copy: the address may share memory with the whole request body.
		h.cache.Add(strings.Clone(addr), loc)
	}
	loc.put(attrs)
}

// publicAddr parses addr and says whether it can have a location: private
// (RFC 1918, fc00::/7), loopback, link-local, multicast and unspecified
// addresses cannot.
func publicAddr(addr string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Addr{}, false
	}
	ip = ip.Unmap().WithZone("")
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		// IsGlobalUnicast is false for loopback, link-local, multicast,
		// unspecified and the IPv4 broadcast address.
		return netip.Addr{}, false
	}
	return ip, true
}
