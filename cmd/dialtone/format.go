package main

import "fmt"

// formatFlag resolves -json and -format into one format name; -json is -format=json.
func formatFlag(asJSON bool, format string) (string, error) {
	if asJSON {
		if format != "" && format != "json" {
			return "", fmt.Errorf("-json and -format=%s disagree: use one of them", format)
		}
		return "json", nil
	}
	if format == "" {
		return "text", nil
	}
	return format, nil
}
