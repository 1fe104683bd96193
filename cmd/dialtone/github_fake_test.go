package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdGitHubAPI is "githubapi COMMENTS.json LOG": a local fake of the part of GitHub's
// REST API that plan-comment.sh calls, serving the comments of COMMENTS.json (a JSON
// array of {"id", "user": {"login"}, "body"}) two per page, and appending one line per
// write to LOG ("PATCH ID" or "POST", then the body on the next line). It sets
// GITHUB_API_URL to the server; the server stops when the script ends.
func cmdGitHubAPI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: githubapi COMMENTS.json LOG")
	}
	var comments []json.RawMessage
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &comments); err != nil {
		ts.Fatalf("githubapi: %v", err)
	}
	logPath := ts.MkAbs(args[1])
	var mu sync.Mutex
	write := func(line, body string) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintf(f, "%s\n%s\n", line, body)
	}
	const perPage = 2 // small, so that the script's paging is exercised
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+ts.Getenv("GITHUB_TOKEN") {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		var body struct {
			Body string `json:"body"`
		}
		if r.Method != http.MethodGet {
			data, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(data, &body); err != nil {
				http.Error(w, `{"message":"Problems parsing JSON"}`, http.StatusBadRequest)
				return
			}
		}
		path := r.URL.Path
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(path, "/issues/7/comments"):
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if page < 1 {
				page = 1
			}
			from, to := (page-1)*perPage, page*perPage
			from, to = min(from, len(comments)), min(to, len(comments))
			json.NewEncoder(w).Encode(comments[from:to])
		case r.Method == http.MethodPost && strings.HasSuffix(path, "/issues/7/comments"):
			write("POST", body.Body)
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":999}`)
		case r.Method == http.MethodPatch && strings.Contains(path, "/issues/comments/"):
			write("PATCH "+path[strings.LastIndex(path, "/")+1:], body.Body)
			io.WriteString(w, `{}`)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	ts.Defer(srv.Close)
	ts.Setenv("GITHUB_API_URL", srv.URL)
}
