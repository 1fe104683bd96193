package drill

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// A drill with database_settings gives the failed databases their own settings before
// the failure and proves them carried (issue 17): after complete the database users
// live on has exactly the failed database's settings, and a mailbox larger than
// Exchange's default quota (but within its own database's) still receives mail.

// prepareSettings sets the drill's database_settings on each failed database and, when
// they raise ProhibitSendReceiveQuota above the default, makes one mailbox of each
// larger than the default quota with one heavy message (before the backup, so that the
// restore brings it back).
func (dr *drillRun) prepareSettings() int {
	set := dr.d.DatabaseSettings
	if len(set) == 0 {
		return exitOK
	}
	dr.settingsWant, dr.large = map[string]map[string]string{}, map[string]string{}
	for _, db := range dr.failedDatabases() {
		if err := dr.l.SetDatabaseSettings(db, set); err != nil {
			return dr.fail("giving %s the database_settings of drill %s: %v", db, dr.d.Name, err)
		}
		st, err := dr.l.Status()
		if err != nil {
			return dr.fail("%v", err)
		}
		for _, d := range st.Databases {
			if d.Name == db {
				dr.settingsWant[db] = maps.Clone(d.Settings)
			}
		}
		fmt.Fprintf(dr.c.stdout, "lab: give %s its own settings: %s\n", db, settingsLine(dr.settingsWant[db]))
		quota, err := strconv.ParseInt(dr.settingsWant[db][state.SettingProhibitSendReceiveQuota], 10, 64)
		def, _ := strconv.ParseInt(state.DefaultSettings[state.SettingProhibitSendReceiveQuota], 10, 64)
		if err != nil || quota <= def {
			continue
		}
		users, err := dr.usersOf(db)
		if err != nil {
			return dr.fail("%v", err)
		}
		size := def + (quota-def)/2
		acc, err := dr.l.DeliverSized(users[0], 1, size)
		if err != nil {
			return dr.fail("delivering a %d-byte message to %s: %v", size, users[0], err)
		}
		for _, a := range acc {
			dr.accepted[a.MessageID] = a.To
		}
		dr.large[db] = users[0]
		fmt.Fprintf(dr.c.stdout, "lab: make %s larger than Exchange's default quota (%d bytes) and within %s's (%d): one message of %d bytes\n",
			users[0], def, db, quota, size)
	}
	return exitOK
}

// checkSettings runs after stage complete: the settings of the database each recovery's
// users live on equal the failed database's, and the large mailbox still receives mail.
func (dr *drillRun) checkSettings() int {
	if len(dr.settingsWant) == 0 {
		return exitOK
	}
	fmt.Fprintf(dr.c.stdout, "\n%s\n\n", dr.c.paint(bold, "=== Database settings ==="))
	st, err := dr.l.Status()
	if err != nil {
		return dr.fail("%v", err)
	}
	have := map[string]map[string]string{}
	for _, d := range st.Databases {
		have[d.Name] = d.Settings
	}
	for _, db := range slices.Sorted(maps.Keys(dr.settingsWant)) {
		want := dr.settingsWant[db]
		addr := dr.large[db]
		if addr == "" {
			users, err := dr.usersOfAny(db)
			if err != nil {
				return dr.fail("%v", err)
			}
			addr = users
		}
		home := dr.homeOf(addr)
		if !maps.Equal(have[home], want) {
			return dr.fail("users of %s live on %s, whose settings are %s; %s had %s", db, home, settingsLine(have[home]), db, settingsLine(want))
		}
		fmt.Fprintf(dr.c.stdout, "%s's users live on %s, with %s's settings: %s\n", db, home, db, settingsLine(want))
		if dr.large[db] == "" {
			continue
		}
		acc, err := dr.l.Deliver(addr, 1)
		if err != nil {
			return dr.fail("mail to %s (larger than Exchange's default quota) is refused on %s: %v", addr, home, err)
		}
		for _, a := range acc {
			dr.accepted[a.MessageID] = a.To
			if a.Queued {
				return dr.fail("mail to %s is queued: %s is not mounted", addr, home)
			}
		}
		fmt.Fprintf(dr.c.stdout, "mail to %s, larger than Exchange's default quota, is accepted on %s\n", addr, home)
	}
	return exitOK
}

// usersOfAny returns one mailbox that was homed on db at the start of the drill:
// the first address of the recovery's mailboxes wherever they live now.
func (dr *drillRun) usersOfAny(db string) (string, error) {
	prefix := strings.ToLower(db) + "-"
	var addrs []string
	for _, to := range dr.accepted {
		if strings.HasPrefix(strings.ToLower(to), prefix) {
			addrs = append(addrs, to)
		}
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("no mailbox of %s received mail in the drill", db)
	}
	sort.Strings(addrs)
	return addrs[0], nil
}

// settingsLine shows settings as "Name = value, ..." in the state's order.
func settingsLine(m map[string]string) string {
	if len(m) == 0 {
		return "Exchange's defaults"
	}
	var parts []string
	for _, n := range state.SettingNames {
		if v, ok := m[n]; ok {
			parts = append(parts, n+" = "+v)
		}
	}
	var rest []string
	for n, v := range m {
		if _, ok := state.DefaultSettings[n]; !ok {
			rest = append(rest, n+" = "+v)
		}
	}
	sort.Strings(rest)
	return strings.Join(append(parts, rest...), ", ")
}
