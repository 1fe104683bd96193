dialtone {
  backend "local" {
    path = "" # ERROR: Empty state path
  }
  backend "local" { # ERROR: Duplicate backend block
    path = "other.json"
  }
}

provider "vmware" { # ERROR: Unknown provider type
}
