# The pg backend: a password in conn_str is a warning, the rest errors.
dialtone {
  backend "pg" {
    conn_str    = "host=db.contoso.com user=dialtone password=hunter2 dbname=ops" # WARNING: Password in the configuration
    schema_name = "Dialtone-State" # ERROR: Invalid schema name
    backups     = 0 # ERROR: Invalid backup count
    path        = "state.json" # ERROR: Unsupported argument
  }
}

provider "exchange" {
  command           = [] # ERROR: Invalid command
  connection_uri    = "ftp://ex01.contoso.com/PowerShell/" # ERROR: Invalid connection URI
  authentication    = "kerberos" # ERROR: Invalid authentication
  domain_controller = "dc01 contoso" # ERROR: Invalid domain controller
  credential_env    = "EXCHANGE-ADMIN" # ERROR: Invalid credential variable
  credential_file   = "secrets/exchange.xml" # ERROR: Two credential sources
  username          = "CONTOSO\\admin" # ERROR: Credential in the configuration
  password          = "hunter2" # ERROR: Credential in the configuration
}
