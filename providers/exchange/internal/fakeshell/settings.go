package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// settingArgs collects the database settings among a New- or Set-MailboxDatabase's
// parameters, in the form the lab takes (it checks them as Set-MailboxDatabase would).
func settingArgs(a *args) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range state.SettingNames {
		v, ok := a.named[strings.ToLower(name)]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case nil:
			out[name] = ""
		case bool:
			out[name] = "False"
			if x {
				out[name] = "True"
			}
		case string:
			out[name] = x
		case int64:
			out[name] = strconv.FormatInt(x, 10)
		default:
			return nil, fmt.Errorf("%s: -%s: a value of type %T", a.cmd, name, v)
		}
	}
	return out, nil
}

// settingProps adds a database's settings to its Get-MailboxDatabase object as Exchange
// shows them: quotas as "10 GB (10,737,418,240 bytes)" or "Unlimited", booleans as
// booleans; IsExcludedFromProvisioningReason only from Exchange 2016 on.
func settingProps(o *object, d *state.Database, is2013 bool) {
	for _, name := range state.SettingNames {
		v, _ := d.Setting(name)
		switch {
		case name == state.SettingIsExcludedFromProvisioningReason && is2013:
			continue
		case v == "True" || v == "False":
			o.set(name, v == "True")
		case strings.HasSuffix(name, "Quota") && v != "Unlimited":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				o.set(name, v)
				continue
			}
			o.set(name, fmt.Sprintf("%s (%s bytes)", humanSize(n), commas(n)))
		case v == "":
			o.set(name, nil)
		default:
			o.set(name, v)
		}
	}
}

func humanSize(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := strconv.FormatFloat(f, 'f', 3, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".") + " " + units[i]
}
