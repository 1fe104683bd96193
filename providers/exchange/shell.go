package exchange

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// The framing protocol between the provider and its PowerShell process.
//
// The process reads commands from stdin (-Command -). Every request is ONE line: a body of
// PowerShell statements (built only from constant cmdlet names and values quoted with
// providers.PSQuote) inside a fixed wrapper that runs the body, collects its output as an
// array and writes ONE response line to stdout:
//
//	@@dialtone:<nonce>:<seq> {"ok":true,"data":[...]}
//	@@dialtone:<nonce>:<seq> {"ok":false,"error":"<exception message>"}
//
// The nonce is random per process, so no output of a command can forge a response line;
// seq numbers the request. Lines without the marker (warnings, banners) are logged at
// debug level, truncated, and otherwise ignored. Responses larger than the size limit
// are refused with an error (the process is then restarted).
const (
	wrapHead = `try { $dtR = @(`
	wrapMid  = `); '@@dialtone:%s:%d ' + '{"ok":true,"data":' + (ConvertTo-Json -InputObject $dtR -Depth 6 -Compress) + '}' } catch { '@@dialtone:%s:%d ' + '{"ok":false,"error":' + (ConvertTo-Json -InputObject ([string]$_.Exception.Message) -Compress) + '}' }`
)

// wrap returns the request line for body.
func wrap(nonce string, seq int, body string) string {
	return wrapHead + body + fmt.Sprintf(wrapMid, nonce, seq, nonce, seq) + "\n"
}

// response is one decoded response line.
type response struct {
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data"`
	Error string          `json:"error"`
}

// errShell is a failure of the process or the protocol (not of a command): the shell is
// closed and the next request starts a new one.
type errShell struct{ msg string }

func (e *errShell) Error() string { return e.msg }

// CommandError is a command that PowerShell ran and that threw: Message is the
// exception's message.
type CommandError struct {
	Command string // the first cmdlet of the request, for the message
	Message string
}

func (e *CommandError) Error() string { return e.Command + ": " + e.Message }

// shell is one running PowerShell process.
type shell struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	out      *bufio.Reader
	nonce    string
	seq      int
	maxBytes int
	log      hclog.Logger
	stderr   *tailBuffer
	done     chan struct{} // closed when the process has exited
	waitErr  error
	dead     bool
}

// startShell starts argv with an environment of its own: the variables of dialtone's
// environment that PowerShell and a remote session need (childEnv), plus extraEnv.
func startShell(argv []string, extraEnv []string, maxBytes int, log hclog.Logger) (*shell, error) {
	if len(argv) == 0 {
		return nil, errors.New("no PowerShell command configured")
	}
	var nb [12]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(childEnv(os.Environ(), os.Getenv(EnvPassEnv)), extraEnv...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tail := &tailBuffer{max: 4096}
	cmd.Stderr = tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting PowerShell (%s): %w", argv[0], err)
	}
	s := &shell{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 64<<10), nonce: hex.EncodeToString(nb[:]),
		maxBytes: maxBytes, log: log, stderr: tail, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// run sends body and returns the data of its response. A CommandError means the command
// threw; any other error means the shell is unusable (and was killed).
func (s *shell) run(ctx context.Context, body string) (json.RawMessage, error) {
	if s.dead {
		return nil, &errShell{"the PowerShell process has ended"}
	}
	if strings.ContainsAny(body, "\r\n") {
		return nil, fmt.Errorf("internal error: a request body holds a line break")
	}
	s.seq++
	seq := s.seq
	type result struct {
		line []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		if _, err := io.WriteString(s.stdin, wrap(s.nonce, seq, body)); err != nil {
			ch <- result{err: err}
			return
		}
		line, err := s.readResponse(seq)
		ch <- result{line, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		s.kill()
		<-ch
		return nil, fmt.Errorf("interrupted while PowerShell ran %s (the process was stopped): %w", firstWord(body), ctx.Err())
	}
	if r.err != nil {
		s.kill()
		return nil, &errShell{fmt.Sprintf("PowerShell: %v%s", r.err, s.stderrTail())}
	}
	var resp response
	if err := json.Unmarshal(r.line, &resp); err != nil {
		s.kill()
		return nil, &errShell{fmt.Sprintf("PowerShell answered %s with a response that is not JSON: %v", firstWord(body), err)}
	}
	if !resp.OK {
		return nil, &CommandError{Command: firstWord(body), Message: resp.Error}
	}
	if len(resp.Data) == 0 || string(resp.Data) == "null" {
		return json.RawMessage("[]"), nil
	}
	return resp.Data, nil
}

// readResponse reads lines until the response line of seq, returning its JSON part.
func (s *shell) readResponse(seq int) ([]byte, error) {
	marker := []byte("@@dialtone:" + s.nonce + ":" + strconv.Itoa(seq) + " ")
	var line []byte
	total := 0
	for {
		frag, err := s.out.ReadSlice('\n')
		total += len(frag)
		if total > s.maxBytes {
			return nil, fmt.Errorf("a response is larger than the limit of %d bytes (raise max_response_bytes or read less)", s.maxBytes)
		}
		line = append(line, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("the process ended before answering")
			}
			return nil, err
		}
		if bytes.HasPrefix(line, marker) {
			return bytes.TrimRight(line[len(marker):], "\r\n"), nil
		}
		if bytes.HasPrefix(line, []byte("@@dialtone:")) {
			return nil, fmt.Errorf("response out of sequence: %.80q", line)
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			s.log.Debug("powershell output", "line", truncate(string(t), 200))
		}
		line, total = line[:0], 0
	}
}

func (s *shell) stderrTail() string {
	t := strings.TrimSpace(s.stderr.String())
	if t == "" {
		return ""
	}
	return "; its error output ends with: " + truncate(t, 800)
}

// exited reports whether the process has ended.
func (s *shell) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *shell) kill() {
	if s.dead {
		return
	}
	s.dead = true
	s.stdin.Close()
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
	<-s.done
}

// close asks the process to exit, then kills it if it does not.
func (s *shell) close() error {
	if s.dead {
		return nil
	}
	io.WriteString(s.stdin, "exit\n")
	s.stdin.Close()
	s.dead = true
	<-s.done
	return nil
}

func firstWord(body string) string {
	body = strings.TrimLeft(body, "$ ")
	if i := strings.Index(body, " = "); i >= 0 && i < 30 {
		body = body[i+3:]
	}
	if i := strings.IndexAny(body, " ;|"); i >= 0 {
		return body[:i]
	}
	return body
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
