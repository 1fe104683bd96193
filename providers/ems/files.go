package ems

import (
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// File operations as the plan shows them and the runbook runs them on the server that
// holds the files (inside Invoke-Command). The Exchange provider does these itself, with
// Get-FileHash-verified copies (providers/exchange/files.go); the lines here are what an
// administrator runs by hand.

// Robocopy copies files (the names given, or all of the folder with none) from src to
// dst, keeping data, attributes and times, retrying once. Exit codes 0 to 7 are
// success, 8 and above failure.
func Robocopy(src, dst string, files ...string) Line {
	c := New("robocopy").Pos(src, true).Pos(dst, true)
	for _, f := range files {
		c.Pos(f, true)
	}
	return c.Pos("/COPY:DAT", false).Pos("/R:1", false).Pos("/W:1", false).Line()
}

// RobocopyNewer copies the files matching pattern, skipping older ones (/XO).
func RobocopyNewer(src, dst, pattern string) Line {
	return New("robocopy").Pos(src, true).Pos(dst, true).Pos(pattern, true).Pos("/XO", false).
		Pos("/COPY:DAT", false).Pos("/R:1", false).Pos("/W:1", false).Line()
}

// RobocopyMove moves a folder's files (copy, then delete the source; across volumes too).
func RobocopyMove(src, dst string) Line {
	return New("robocopy").Pos(src, true).Pos(dst, true).Pos("/E", false).Pos("/MOVE", false).Line()
}

// NewFolder creates a folder (nothing when it exists).
func NewFolder(path string) Line {
	return New("New-Item").Word("ItemType", "Directory").Str("Path", path).Word("ErrorAction", "SilentlyContinue").Line()
}

// MoveFile moves (and renames) one file.
func MoveFile(src, dst string) Line {
	return New("Move-Item").Str("LiteralPath", src).Str("Destination", dst).Line()
}

// RemoveFile deletes one file.
func RemoveFile(path string) Line {
	return New("Remove-Item").Str("LiteralPath", path).NoConfirm().Line()
}

// RemoveFolder deletes a folder and what it holds.
func RemoveFolder(path string) Line {
	return New("Remove-Item").Str("LiteralPath", path).Switch("Recurse").NoConfirm().Line()
}

// SetupRecoverServer is Setup.exe /Mode:RecoverServer run from the Exchange build the
// lost server had (build). Builds from the September 2021 cumulative updates on
// (Exchange 2019 CU11, 15.2.986; Exchange 2016 CU22, 15.1.2375; SE) accept the license
// with /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF and no longer know the old
// switch; older builds and Exchange 2013 know only /IAcceptExchangeServerLicenseTerms.
// targetDir, when known, is where Exchange was installed (/TargetDir): RecoverServer
// must use the original path.
func SetupRecoverServer(build, targetDir string) Line {
	c := New("Setup.exe").Pos(licenseSwitch(build), false).Pos("/Mode:RecoverServer", false)
	if targetDir != "" {
		c.Args = append(c.Args, Arg{Kind: Code, Value: "/TargetDir:" + psQuoteForSwitch(targetDir)})
	}
	return c.Line()
}

// licenseSwitch is the license switch Setup of build knows.
func licenseSwitch(build string) string {
	const newer = "/IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF"
	parts := strings.Split(build, ".")
	if len(parts) < 3 || parts[0] != "15" {
		return newer // unknown: today's builds
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		return newer
	}
	switch parts[1] {
	case "0":
		return "/IAcceptExchangeServerLicenseTerms"
	case "1":
		if n < 2375 {
			return "/IAcceptExchangeServerLicenseTerms"
		}
	case "2":
		if n < 986 {
			return "/IAcceptExchangeServerLicenseTerms"
		}
	}
	return newer
}

// psQuoteForSwitch quotes a path written after a Setup switch's colon.
func psQuoteForSwitch(p string) string { return providers.PSQuote(p) }
