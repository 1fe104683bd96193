locals {
  a = local.b # ERROR: Cycle in local values
  b = "${local.c}x"
  c = local.a
  d = upper(local.e) # ERROR: Unsupported attribute
}

locals {
  d = "again" # ERROR: Duplicate local value
}

server "EX01" {
  site    = local.a
  edition = "enterprise"
  version = "15.2.1544.4"
}
