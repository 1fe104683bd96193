package lab

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// The Information Store service of a server (Restart-Service MSExchangeIS).

// RestartStore is Restart-Service MSExchangeIS on server, as Exchange does it: every
// database mounted there is dismounted cleanly while the store stops, and when it
// starts again those whose MountAtStartup is True are mounted again; the others stay
// dismounted until someone mounts them. Mail for a dismounted database queues, and a
// mount delivers it. The store loads every recovery database created before it. It
// returns the databases that were mounted, and those the store mounted again.
func (l *Lab) RestartStore(server string) (mounted, remounted []string, err error) {
	err = l.run(false, func(s *session) error {
		var err error
		mounted, remounted, err = s.restartStore(server)
		return err
	})
	return mounted, remounted, err
}

func (s *session) restartStore(server string) (mounted, remounted []string, err error) {
	srv := s.org.server(server)
	if srv == nil {
		return nil, nil, fmt.Errorf("server %q does not exist", server)
	}
	if !srv.Up {
		return nil, nil, fmt.Errorf("cannot restart the Information Store on %s: the server is down", srv.Name)
	}
	var on []*databaseObj
	for _, d := range s.org.Databases {
		if d.Server == srv.Name {
			d.StoreUnloaded = false
			if d.Mounted {
				on = append(on, d)
			}
		}
	}
	sort.Slice(on, func(i, j int) bool { return on[i].Name < on[j].Name })
	for _, d := range on {
		if _, err := s.dismount(d); err != nil {
			return nil, nil, fmt.Errorf("the store stopping on %s: %w", srv.Name, err)
		}
		mounted = append(mounted, d.Name)
	}
	for _, d := range on {
		if !strings.EqualFold(d.setting(state.SettingMountAtStartup), "True") {
			continue
		}
		if _, err := s.mount(d); err != nil {
			return nil, nil, fmt.Errorf("the store starting on %s could not mount %s: %w", srv.Name, d.Name, err)
		}
		remounted = append(remounted, d.Name)
	}
	return mounted, remounted, s.saveOrg()
}

// applyRestartStore is restart_information_store: the store restart, then a mount of
// each database that was mounted before it or that the plan expects mounted there
// (op.Databases) and that the store did not mount by itself. Done already once the
// store has loaded the recovery database op.Database.
func (s *session) applyRestartStore(op providers.Operation) (providers.Result, error) {
	if rdb := s.org.database(op.Database); rdb != nil {
		if rdb.Server != op.Server {
			return providers.Result{}, fmt.Errorf("recovery database %s is on %s, not %s", rdb.Name, rdb.Server, op.Server)
		}
		if !rdb.StoreUnloaded || rdb.Mounted {
			return providers.Result{AlreadyDone: true, Detail: "the Information Store on " + op.Server + " has loaded " + rdb.Name + " already"}, nil
		}
	} else if op.Database != "" {
		return providers.Result{}, fmt.Errorf("recovery database %s does not exist: create it before restarting the store for it", op.Database)
	}
	mounted, _, err := s.restartStore(op.Server)
	if err != nil {
		return providers.Result{}, err
	}
	want := append(append([]string{}, mounted...), op.Databases...)
	sort.Strings(want)
	var again []string
	for i, name := range want {
		if i > 0 && want[i-1] == name {
			continue
		}
		d := s.org.database(name)
		if d == nil || d.Server != op.Server {
			continue // gone or elsewhere since the plan: nothing of this server to mount
		}
		if _, err := s.mount(d); err != nil {
			return providers.Result{}, fmt.Errorf("after the store restart on %s, mounting %s: %w", op.Server, d.Name, err)
		}
		again = append(again, d.Name)
	}
	if err := s.saveOrg(); err != nil {
		return providers.Result{}, err
	}
	detail := "restarted the Information Store on " + op.Server
	if len(again) > 0 {
		detail += "; " + strings.Join(again, ", ") + " mounted again"
	}
	return providers.Result{Detail: detail, Count: int64(len(again))}, nil
}
