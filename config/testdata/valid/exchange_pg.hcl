# Production settings: state in PostgreSQL (the connection string comes from
# DIALTONE_PG_CONN_STR), Exchange through a remote session.
dialtone {
  backend "pg" {
    schema_name = "dialtone_ops"
    backups     = 20
  }
}

provider "exchange" {
  command           = ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"]
  connection_uri    = "https://ex01.contoso.com/PowerShell/"
  authentication    = "Basic"
  domain_controller = "dc01.contoso.com"
  credential_file   = "C:\\secure\\exchange.cred"
}

server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}
