// Package render shows a plan in six formats: text for people (Text), the JSON plan
// document (JSON), one GitHub comment (Markdown), a runbook to read and run in the
// Exchange Management Shell (PowerShell), and the step graph in Graphviz (DOT) or as a
// Mermaid flowchart (Mermaid). Diff and GanttChart are the pieces they share with the
// commands. Renderers decide nothing; everything they show is in the Plan.
package render
