package config

import (
	"github.com/hashicorp/hcl/v2"
)

// ProviderTypes lists the providers this build can use, in the order shown to users.
var ProviderTypes = []string{"lab"}

var labProviderSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "path"}},
}

// decodeProvider decodes a provider block; one per working directory.
func (l *loader) decodeProvider(block *hcl.Block) hcl.Diagnostics {
	if l.provider != nil {
		return hcl.Diagnostics{errorAt(block.DefRange, "Duplicate provider block",
			"A provider block was already declared at %s. A working directory recovers through one provider; remove one of them.",
			*l.provider)}
	}
	l.provider = block.DefRange.Ptr()

	typ := block.Labels[0]
	switch typ {
	case "lab":
	case "exchange":
		return hcl.Diagnostics{errorAt(block.LabelRanges[0], "Provider not yet supported",
			"The exchange provider is not yet supported by this build of dialtone. Use provider \"lab\" (the simulated organization) for now.")}
	default:
		return hcl.Diagnostics{errorAt(block.LabelRanges[0], "Unknown provider type",
			"dialtone has no provider %q. Supported provider types: %s.", typ, quoteList(ProviderTypes))}
	}

	p := &Provider{Type: typ, Path: DefaultLabPath, DeclRange: block.DefRange}
	body, diags := content(block.Body, labProviderSchema)
	if path := body.Attributes["path"]; path != nil {
		diags = append(diags, decodeString(path, &p.Path)...)
		if p.Path == "" {
			diags = append(diags, errorAt(path.Expr.Range(), "Empty lab path",
				"The lab provider needs the folder of its simulated organization, relative to the working directory. Leave path out for the default %q.",
				DefaultLabPath))
		}
	}
	l.cfg.Provider = p
	return diags
}
