package drill

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// KillAfterEnv is the drill's own mechanism for its crash: the drill starts its child
// apply with it set to N, and that apply kills itself (SIGKILL, as a crash: no deferred
// code, no flush) right after the Nth finished step of its run is in the journal (the
// command layer's apply wraps its journal to do so). Nothing else sets it.
const KillAfterEnv = "DIALTONE_DRILL_KILL_AFTER_STEPS"

// rewriteForChild returns a configuration file for the drill's child apply: the
// recoveries in names at stage, and no dialtone or provider block, so that the child
// uses the drill folder's own state and lab (the defaults).
func rewriteForChild(name string, src []byte, names map[string]bool, stage string) ([]byte, error) {
	f, diags := hclwrite.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", name, diags.Error())
	}
	body := f.Body()
	for _, b := range body.Blocks() {
		switch b.Type() {
		case "dialtone", "provider":
			body.RemoveBlock(b)
		case "recovery":
			if l := b.Labels(); len(l) == 1 && names[l[0]] {
				b.Body().SetAttributeValue("stage", cty.StringVal(stage))
			}
		}
	}
	return f.Bytes(), nil
}

// runChild runs "dialtone -chdir=dir apply -auto-approve" as a child process of this
// same binary, killed after killAfter finished steps (KillAfterEnv). It returns the
// child's combined output and how it ended.
func runChild(dir string, killAfter int, childEnv func([]string) []string) ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this binary to re-run it: %w", err)
	}
	cmd := exec.Command(exe, "-chdir="+dir, "-no-color", "apply", "-auto-approve")
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case KillAfterEnv, "DIALTONE_LOG":
			continue
		}
		env = append(env, kv)
	}
	if childEnv != nil {
		env = childEnv(env)
	}
	cmd.Env = append(env, KillAfterEnv+"="+strconv.Itoa(killAfter), "NO_COLOR=1")
	return cmd.CombinedOutput()
}

// killedBySignal reports whether err is a child's end by SIGKILL.
func killedBySignal(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
