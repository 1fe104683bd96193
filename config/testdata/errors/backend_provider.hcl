dialtone {
  backend "s3" { # ERROR: Unsupported backend type
    bucket = "state"
  }
}

dialtone { # ERROR: Duplicate dialtone block
  backend "local" {
    path = ""
  }
}

provider "exchange" {
  pwsh = "pwsh" # ERROR: Unsupported argument
}

provider "lab" { # ERROR: Duplicate provider block
  path = "lab"
}
