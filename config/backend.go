package config

import (
	"github.com/hashicorp/hcl/v2"
)

// BackendTypes lists the state backends dialtone supports, in the order shown to users.
var BackendTypes = []string{"local"}

var dialtoneSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
}

var localBackendSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "path"}},
}

// decodeDialtone decodes the dialtone block: settings of dialtone itself, of which
// there is one per working directory.
func (l *loader) decodeDialtone(block *hcl.Block) hcl.Diagnostics {
	if l.dialtone != nil {
		return hcl.Diagnostics{errorAt(block.DefRange, "Duplicate dialtone block",
			"A dialtone block was already declared at %s. A working directory has one dialtone block; merge the two.",
			*l.dialtone)}
	}
	l.dialtone = block.DefRange.Ptr()

	dt, diags := content(block.Body, dialtoneSchema)
	for i, b := range dt.Blocks {
		if i > 0 {
			diags = append(diags, errorAt(b.DefRange, "Duplicate backend block",
				"A backend block was already declared at %s. dialtone keeps its state in one backend; remove one of them.",
				dt.Blocks[0].DefRange))
			continue
		}
		typ := b.Labels[0]
		if typ != "local" {
			diags = append(diags, errorAt(b.LabelRanges[0], "Unsupported backend type",
				"dialtone has no backend %q. Supported backend types: %s.", typ, quoteList(BackendTypes)))
			continue
		}
		be := &Backend{Type: typ, Path: DefaultStatePath, DeclRange: b.DefRange}
		body, d := content(b.Body, localBackendSchema)
		diags = append(diags, d...)
		if path := body.Attributes["path"]; path != nil {
			diags = append(diags, decodeString(path, &be.Path)...)
			if be.Path == "" {
				diags = append(diags, errorAt(path.Expr.Range(), "Empty state path",
					"The local backend needs the path of its state file, relative to the working directory. Leave path out for the default %q.",
					DefaultStatePath))
			}
		}
		l.cfg.Backend = be
	}
	return diags
}
