// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package browser holds the headless-Chromium test of the receiver's request
// inspector page: what a person sees after load, and a click that opens a
// body sample. It needs Debian's chromium package; without it the test skips
// with a one-line reason, unless BROWSER_REQUIRED=1 (then it fails).
//
//	make test-browser                              # run it
//	make test-browser SCREENSHOT=docs/inspector.png # and refresh the screenshot
package browser
