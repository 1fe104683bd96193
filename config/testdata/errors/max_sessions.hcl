# A pool of no sessions: the error names the file and the line of the value.
provider "exchange" {
  connection_uri = "https://ex01.contoso.com/PowerShell/"
  max_sessions   = 0 # ERROR: Invalid max_sessions
}
