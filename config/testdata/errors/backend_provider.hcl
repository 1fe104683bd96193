dialtone {
  backend "pg" { # ERROR: Unsupported backend type
    conn_str = "postgres://"
  }
}

dialtone { # ERROR: Duplicate dialtone block
  backend "local" {
    path = ""
  }
}

provider "exchange" { # ERROR: Provider not yet supported
  pwsh = "pwsh"
}

provider "lab" { # ERROR: Duplicate provider block
  path = "lab"
}
