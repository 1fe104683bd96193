package state

import "testing"

// A refresh that read some databases' mailboxes replaces those and keeps the others.
func TestRefreshKeepsMailboxesOutsideTheScope(t *testing.T) {
	s := New("l")
	s.Mailboxes = map[string]*Mailbox{
		"a@x": {Address: "a@x", Database: "DB01"},
		"b@x": {Address: "b@x", Database: "DB02"},
		"c@x": {Address: "c@x", Database: "DB01"}, // gone from DB01
	}
	s.Refresh(&Observed{
		Mailboxes:    map[string]*Mailbox{"a@x": {Address: "a@x", Database: "DB01", NoAutodiscover: true}, "d@x": {Address: "d@x", Database: "db01"}},
		MailboxScope: []string{"DB01"},
	})
	if len(s.Mailboxes) != 3 || s.Mailboxes["b@x"] == nil || s.Mailboxes["c@x"] != nil || !s.Mailboxes["a@x"].NoAutodiscover || s.Mailboxes["d@x"] == nil {
		t.Errorf("mailboxes after a scoped refresh: %v", s.Mailboxes)
	}
	s.Refresh(&Observed{Mailboxes: map[string]*Mailbox{"e@x": {Address: "e@x", Database: "DB03"}}})
	if len(s.Mailboxes) != 1 {
		t.Errorf("a full refresh kept %d mailboxes, want the 1 it read", len(s.Mailboxes))
	}
}
