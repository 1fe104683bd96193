package state

import "github.com/google/uuid"

// NewLineage returns a new random lineage (a UUID). A lineage is set once, when a state
// is created, so that a plan or a journal made from one state is never applied to another.
func NewLineage() string {
	return uuid.NewString()
}
