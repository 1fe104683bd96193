# Basic authentication over http, a command argument that is no string, a URL with
# a user in it.
dialtone {
  backend "pg" {
    conn_str    = "postgres://dialtone:hunter2@db.contoso.com/ops" # WARNING: Password in the configuration
    schema_name = "9lives" # ERROR: Invalid schema name
    backups     = 101 # ERROR: Invalid backup count
  }
}

provider "exchange" {
  command         = ["pwsh", "", ["x"]] # ERROR: Invalid command argument # ERROR: Unsuitable value type
  connection_uri  = "http://ex01.contoso.com/PowerShell/"
  authentication  = "Basic" # ERROR: Basic authentication over http
  credential_env  = "EXCHANGE"
  credential      = get_credential() # ERROR: Credential in the configuration
}
