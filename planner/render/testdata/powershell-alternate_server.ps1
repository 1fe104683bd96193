#Requires -Version 5.1
<#
.SYNOPSIS
    dialtone recovery runbook, generated from a saved plan. Run it in the Exchange Management Shell.
.DESCRIPTION
    Plan:          format 1, state lineage 6f1c7c9e-0000-4000-8000-000000000001, serial 7
    Configuration: sha256 sha256:63905f74e45873209f927f625762750997fe6069d0185a9985904aa113f29590

    This runbook carries out 38 steps for 1 recovery: recovery db01-outage (alternate_server
    of database DB01 on EX01, 4 mailboxes) from not started to complete. 4 steps are done by
    a person; the script pauses there. Users are without service in 3 windows: 4 mailboxes
    of db01-outage from recovery.db01-outage.create_dial_tone_database to
    recovery.db01-outage.rehome_to_dial_tone (failure until dial tone); 4 mailboxes of
    db01-outage from recovery.db01-outage.dismount_dial_tone_database to
    recovery.db01-outage.resubmit_queues_to_restored_database (swap); 7 mailboxes of
    db01-outage from recovery.db01-outage.restart_information_store to
    recovery.db01-outage.restart_information_store (Information Store restart).

    Every step is guarded: run the script again after a failure and it skips what is
    already done. It stops at the first error ($ErrorActionPreference = 'Stop'), pauses
    (Read-Host) where a person has to act, and warns loudly where users lose service.
    File commands (robocopy, eseutil, Move-Item, Remove-Item, Test-Path) run on the
    server that holds the files, through Invoke-Command -ComputerName (WinRM to each
    Mailbox server); robocopy exit codes 0 to 7 are success, 8 and above stop the run.
    Who confirmed each manual step, and when, goes to the transcript it starts.
    It does not record progress in dialtone's state: after running it by hand, run
    "dialtone refresh" and "dialtone plan" to see what dialtone still expects.
#>

$ErrorActionPreference = 'Stop'
$dtTranscript = Join-Path -Path $PWD.ProviderPath -ChildPath ('dialtone-runbook-' + (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ') + '.log')
Start-Transcript -LiteralPath $dtTranscript -Append
Write-Host ('dialtone runbook started by ' + $env:USERDOMAIN + '\' + $env:USERNAME + ' on ' + $env:COMPUTERNAME + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') + ': plan serial 7, state lineage ' + '6f1c7c9e-0000-4000-8000-000000000001')
$dtDC = Read-Host -Prompt 'The domain controller (FQDN) every cmdlet of this runbook uses'
Set-ADServerSettings -PreferredServer $dtDC

# ======================================================================================
# Step 1 of 38: recovery.db01-outage.create_dial_tone_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 1)
# Create the empty dial tone database DTDB01 on EX02
# Precondition: server EX02 is up
# Precondition: DB01 is not mounted (it has failed)
# Precondition: name DTDB01 is unique in the organization (recovery databases too) and at most 64 characters
# Precondition: DTDB01 has its own log folder F:\DialTone\DTDB01\Logs, not a drive root
# Precondition: dial tone for DB01: EX01 (Exchange 15.2.1544.4, schema unknown) and EX02 (Exchange 15.2.1544.4, schema unknown) have the same major version; the database schema versions were not compared (unknown)
# Precondition: disk room on EX02 for the dial tone database DTDB01 (400.0 GiB free; it grows with the new mail)
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
if (-not (Get-MailboxDatabase -Identity 'DTDB01' -ErrorAction SilentlyContinue)) {
    New-MailboxDatabase -Name 'DTDB01' -Server 'EX02' -EdbFilePath 'F:\DialTone\DTDB01\DTDB01.edb' -LogFolderPath 'F:\DialTone\DTDB01\Logs'
} else {
    Write-Host 'skip: DTDB01 exists already'
}
Write-Host 'done: recovery.db01-outage.create_dial_tone_database'

# ======================================================================================
# Step 2 of 38: recovery.db01-outage.exclude_dial_tone_from_provisioning
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 1)
# Keep new mailboxes off DTDB01 (IsExcludedFromProvisioning $true): it is temporary
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
if ((Get-MailboxDatabase -Identity 'DTDB01').IsExcludedFromProvisioning -ne $true) {
    Set-MailboxDatabase -Identity 'DTDB01' -IsExcludedFromProvisioning $true -IsExcludedFromProvisioningReason 'dialtone: temporary dial tone database'
} else {
    Write-Host 'skip: IsExcludedFromProvisioning of DTDB01 is $true already'
}
Write-Host 'done: recovery.db01-outage.exclude_dial_tone_from_provisioning'

# ======================================================================================
# Step 3 of 38: recovery.db01-outage.mount_dial_tone_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 2)
# Mount the empty DTDB01 on EX02
# Precondition: a mount slot on EX02 for DTDB01 (1 of 100 mounted databases in use, enterprise)
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
if (-not (Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
    Mount-Database -Identity 'DTDB01'
} else {
    Write-Host 'skip: DTDB01 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_dial_tone_database'

# ======================================================================================
# Step 4 of 38: recovery.db01-outage.rehome_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 3)
# Point the 3 user mailboxes of DB01 at DTDB01 on EX02 (AD only; clients follow after AD replication): users get service back, with empty mailboxes
# ======================================================================================
# Get-Mailbox -Database finds only the mailboxes still on DB01: a second run moves nothing.
Get-Mailbox -Database 'DB01' -ResultSize Unlimited | Where-Object -Property ObjectClass -NotMatch -Value '(SystemAttendantMailbox|ExOleDbSystemMailbox)' | Set-Mailbox -Database 'DTDB01' -Confirm:$false
Write-Warning '*** SERVICE BACK: 4 mailboxes have service again (recovery.db01-outage.rehome_to_dial_tone) ***'
Write-Host 'done: recovery.db01-outage.rehome_to_dial_tone'

# ======================================================================================
# Step 5 of 38: recovery.db01-outage.rehome_system_mailboxes_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 3)
# Point the system mailboxes (1 mailbox) and the archives of DB01 at DTDB01
# ======================================================================================
# Get-Mailbox -Database finds only the mailboxes still on DB01: a second run moves nothing.
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -Arbitration | Set-Mailbox -Arbitration -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -AuditLog | Set-Mailbox -AuditLog -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -AuxAuditLog | Set-Mailbox -AuxAuditLog -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -PublicFolder | Set-Mailbox -PublicFolder -Database 'DTDB01' -Confirm:$false
$dtArchiveDN = Get-MailboxDatabase -Identity 'DB01' | Select-Object -ExpandProperty DistinguishedName
Get-Mailbox -ResultSize Unlimited -Filter "ArchiveDatabase -eq '$($dtArchiveDN -replace "'","''")'" | Set-Mailbox -ArchiveDatabase 'DTDB01' -Confirm:$false
Write-Host 'done: recovery.db01-outage.rehome_system_mailboxes_to_dial_tone'

# ======================================================================================
# Step 6 of 38: recovery.db01-outage.resubmit_queues_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Resubmit the mail queued for DB01 so that it reaches DTDB01 (on EX02; a server that cannot be reached is skipped and reported)
# ======================================================================================
Get-Queue -Server 'EX02' | Where-Object -Property NextHopDomain -EQ -Value 'DB01' | Retry-Queue -Resubmit $true -Confirm:$false
Write-Host 'done: recovery.db01-outage.resubmit_queues_to_dial_tone'

# ======================================================================================
# Step 7 of 38: recovery.db01-outage.hold_failed_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Keep DB01 from coming back by itself while its users are on DTDB01 (MountAtStartup $false) and keep new mailboxes off it (IsExcludedFromProvisioning $true)
# ======================================================================================
Set-MailboxDatabase -Identity 'DB01' -MountAtStartup $false -IsExcludedFromProvisioning $true -IsExcludedFromProvisioningReason 'Failed; held by dialtone recovery.db01-outage while its users are on the dial tone database'
Write-Host 'done: recovery.db01-outage.hold_failed_database'

# ======================================================================================
# Step 8 of 38: recovery.db01-outage.repoint_profiles_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Repoint the mail profiles of 1 mailbox whose clients do not use Autodiscover at EX02
# ======================================================================================
Write-Warning 'MANUAL STEP recovery.db01-outage.repoint_profiles_to_dial_tone: On the clients of db01-user0001@contoso.com (they do not use Autodiscover), point the mail profile at EX02 (or create a new profile), then send a test message.'
# For reference, the commands this step stands for (run or adapt them by hand):
#     Clients without Autodiscover: db01-user0001@contoso.com
$dtWho = Read-Host -Prompt 'Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('confirmed: recovery.db01-outage.repoint_profiles_to_dial_tone by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
Write-Host 'done: recovery.db01-outage.repoint_profiles_to_dial_tone'

# ======================================================================================
# Step 9 of 38: recovery.db01-outage.recover_server
# Phase: restore_data   Risk: reversible   Stage: restored   (exchange-recovery.md step 5)
# Rebuild EX01 under its own name (Setup.exe /Mode:RecoverServer)
# ======================================================================================
Write-Warning 'MANUAL STEP recovery.db01-outage.recover_server: Rebuild EX01: (1) reset its computer account in Active Directory; (2) install the same Windows Server version it ran, under the name EX01, with the same drive letters for its database volumes (D:); (3) run Setup.exe /Mode:RecoverServer from the same Exchange build; (4) re-apply custom settings and certificates; (5) check that MSExchangeIS and MSExchangeRepl run, then run "dialtone refresh".'
# For reference, the commands this step stands for (run or adapt them by hand):
#     Reset the computer account of EX01; install the same Windows Server version under the name EX01 with drive letters D:
#     Setup.exe /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF /Mode:RecoverServer
#     Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-Service MSExchangeIS, MSExchangeRepl }
$dtWho = Read-Host -Prompt 'Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('confirmed: recovery.db01-outage.recover_server by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
Write-Host 'done: recovery.db01-outage.recover_server'

# ======================================================================================
# Step 10 of 38: recovery.db01-outage.mount_unrecovered_database["DB02"]
# Phase: restore_data   Risk: reversible   Stage: restored   (exchange-recovery.md step 5)
# Mount DB02 on the rebuilt EX01 (no recovery block recovers it): service back for its 3 mailboxes
# Precondition: server EX01 is up (rebuilt by an earlier step of this plan)
# Precondition: DB02 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: a mount slot on EX01 for DB02 (0 of 100 mounted databases in use, enterprise)
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'DB02' -Status).Mounted) {
    Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
        $ErrorActionPreference = 'Stop'
        eseutil /mh 'D:\Databases\DB02\DB02.edb'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    }
    Mount-Database -Identity 'DB02'
} else {
    Write-Host 'skip: DB02 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_unrecovered_database["DB02"]'

# ======================================================================================
# Step 11 of 38: recovery.db01-outage.preserve_failed_files
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 6)
# Copy every surviving file of DB01 (database, logs, checkpoint) to D:\Databases\DB01-preserved; delete nothing
# Precondition: disk room on EX01 for the copy of DB01's files (size or free disk unknown: checked at apply)
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    # Keep every surviving file of DB01: copy it away, delete nothing.
    if (Test-Path -LiteralPath 'D:\Databases\DB01') {
        robocopy 'D:\Databases\DB01' 'D:\Databases\DB01-preserved' 'DB01.edb' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        Write-Warning 'recovery.db01-outage.preserve_failed_files: D:\Databases\DB01 on EX01 does not exist: no surviving file of DB01 is there to keep, so nothing is copied from it. A restore of DB01 then ends where its backup ends.'
    }
    if (Test-Path -LiteralPath 'D:\Databases\DB01\Logs') {
        robocopy 'D:\Databases\DB01\Logs' 'D:\Databases\DB01-preserved' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        Write-Warning 'recovery.db01-outage.preserve_failed_files: D:\Databases\DB01\Logs on EX01 does not exist: no surviving file of DB01 is there to keep, so nothing is copied from it. A restore of DB01 then ends where its backup ends.'
    }
}
Write-Host 'done: recovery.db01-outage.preserve_failed_files'

# ======================================================================================
# Step 12 of 38: recovery.db01-outage.allow_file_restore_for_restore
# Phase: restore_data   Risk: reversible   Stage: restored   (exchange-recovery.md step 6)
# Let the restore replace DB01 (AllowFileRestore $true, if the backup product needs it)
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'DB01').AllowFileRestore -ne $true) {
    Set-MailboxDatabase -Identity 'DB01' -AllowFileRestore $true
} else {
    Write-Host 'skip: AllowFileRestore of DB01 is $true already'
}
Write-Host 'done: recovery.db01-outage.allow_file_restore_for_restore'

# ======================================================================================
# Step 13 of 38: recovery.db01-outage.restore_backup
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 6)
# Restore backup set nightly of DB01 into its own paths on EX01, keeping file names
# Precondition: backup set nightly of DB01 exists
# Precondition: disk room on EX01 for the restored DB01 (size or free disk unknown: checked at apply)
# Precondition: DB01 is not mounted while its files are restored
# ======================================================================================
Write-Warning 'MANUAL STEP recovery.db01-outage.restore_backup: Restore backup set nightly of DB01 with your backup software into its own paths on EX01 (D:\Databases\DB01\DB01.edb and D:\Databases\DB01\Logs); do not mount it; then check the header with eseutil /mh.'
# For reference, the commands this step stands for (run or adapt them by hand):
#     Restore backup set nightly of DB01 into D:\Databases\DB01 (database) and D:\Databases\DB01\Logs (logs).
#     Invoke-Command -ComputerName 'EX01' -ScriptBlock { eseutil /mh 'D:\Databases\DB01\DB01.edb' }
$dtWho = Read-Host -Prompt 'Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('confirmed: recovery.db01-outage.restore_backup by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
Write-Host 'done: recovery.db01-outage.restore_backup'

# ======================================================================================
# Step 14 of 38: recovery.db01-outage.copy_surviving_logs
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 6)
# Copy DB01's surviving logs (newer than the backup) back into its log folder before any mount
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (Test-Path -LiteralPath 'D:\Databases\DB01-preserved') {
        robocopy 'D:\Databases\DB01-preserved' 'D:\Databases\DB01\Logs' 'E00*.log' /XO /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
        eseutil /ml 'D:\Databases\DB01\Logs\E00'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    } else {
        Write-Warning 'recovery.db01-outage.copy_surviving_logs: D:\Databases\DB01-preserved on EX01 does not exist: no surviving log of DB01 is there, so none is copied into D:\Databases\DB01\Logs. The recovered mail then ends where the backup and the logs already there end; mail written after that is lost unless those logs are found (copy them in and run the runbook again before the mount).'
    }
}
Write-Host 'done: recovery.db01-outage.copy_surviving_logs'

# ======================================================================================
# Step 15 of 38: recovery.db01-outage.replay_logs
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 6)
# Replay the logs into the restored DB01 until it is clean (eseutil /r)
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (-not (eseutil /mh 'D:\Databases\DB01\DB01.edb' | Select-String -SimpleMatch -Pattern 'Clean Shutdown')) {
        eseutil /r 'E00' /l 'D:\Databases\DB01\Logs' /d 'D:\Databases\DB01'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    } else {
        Write-Host 'skip: D:\Databases\DB01\DB01.edb is in Clean Shutdown already'
    }
}
Write-Host 'done: recovery.db01-outage.replay_logs'

# ======================================================================================
# Step 16 of 38: recovery.db01-outage.disallow_file_restore_after_restore
# Phase: restore_data   Risk: reversible   Stage: restored   (exchange-recovery.md step 6)
# Set AllowFileRestore on DB01 back to $false; DB01 stays dismounted until the swap
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'DB01').AllowFileRestore -ne $false) {
    Set-MailboxDatabase -Identity 'DB01' -AllowFileRestore $false
} else {
    Write-Host 'skip: AllowFileRestore of DB01 is $false already'
}
Write-Host 'done: recovery.db01-outage.disallow_file_restore_after_restore'

# ======================================================================================
# Step 17 of 38: recovery.db01-outage.dismount_dial_tone_database
# Phase: swap   Risk: user_outage   Stage: swapped   (exchange-recovery.md step 7)
# Dismount DTDB01: users lose service until they are home on DB01 again
# ======================================================================================
Write-Warning '*** USERS LOSE SERVICE: 4 mailboxes are without service from this step (recovery.db01-outage.dismount_dial_tone_database) until the database is mounted again ***'
$dtWho = Read-Host -Prompt 'Users are about to lose service. Type your name to go on (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('go-ahead for the outage from recovery.db01-outage.dismount_dial_tone_database by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
if ((Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
    Dismount-Database -Identity 'DTDB01' -Confirm:$false
} else {
    Write-Host 'skip: DTDB01 is dismounted already'
}
Write-Host 'done: recovery.db01-outage.dismount_dial_tone_database'

# ======================================================================================
# Step 18 of 38: recovery.db01-outage.rehome_to_restored_database
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Point the 3 user mailboxes of DTDB01 at DB01 on EX01 (AD only; clients follow after AD replication)
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
# Get-Mailbox -Database finds only the mailboxes still on DTDB01: a second run moves nothing.
Get-Mailbox -Database 'DTDB01' -ResultSize Unlimited | Where-Object -Property ObjectClass -NotMatch -Value '(SystemAttendantMailbox|ExOleDbSystemMailbox)' | Set-Mailbox -Database 'DB01' -Confirm:$false
Write-Host 'done: recovery.db01-outage.rehome_to_restored_database'

# ======================================================================================
# Step 19 of 38: recovery.db01-outage.rehome_system_mailboxes_to_restored_database
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Point the system mailboxes (1 mailbox) and the archives of DTDB01 at DB01
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
# Get-Mailbox -Database finds only the mailboxes still on DTDB01: a second run moves nothing.
Get-Mailbox -Database 'DTDB01' -ResultSize Unlimited -Arbitration | Set-Mailbox -Arbitration -Database 'DB01' -Confirm:$false
Get-Mailbox -Database 'DTDB01' -ResultSize Unlimited -AuditLog | Set-Mailbox -AuditLog -Database 'DB01' -Confirm:$false
Get-Mailbox -Database 'DTDB01' -ResultSize Unlimited -AuxAuditLog | Set-Mailbox -AuxAuditLog -Database 'DB01' -Confirm:$false
Get-Mailbox -Database 'DTDB01' -ResultSize Unlimited -PublicFolder | Set-Mailbox -PublicFolder -Database 'DB01' -Confirm:$false
$dtArchiveDN = Get-MailboxDatabase -Identity 'DTDB01' | Select-Object -ExpandProperty DistinguishedName
Get-Mailbox -ResultSize Unlimited -Filter "ArchiveDatabase -eq '$($dtArchiveDN -replace "'","''")'" | Set-Mailbox -ArchiveDatabase 'DB01' -Confirm:$false
Write-Host 'done: recovery.db01-outage.rehome_system_mailboxes_to_restored_database'

# ======================================================================================
# Step 20 of 38: recovery.db01-outage.mount_restored_database
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Mount the restored DB01 on EX01
# Precondition: DB01 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: a mount slot on EX01 for DB01 (1 of 100 mounted databases in use, enterprise)
# ======================================================================================
Write-Warning '*** users (4 mailboxes) are WITHOUT SERVICE during this step ***'
if (-not (Get-MailboxDatabase -Identity 'DB01' -Status).Mounted) {
    Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
        $ErrorActionPreference = 'Stop'
        eseutil /mh 'D:\Databases\DB01\DB01.edb'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    }
    Mount-Database -Identity 'DB01'
} else {
    Write-Host 'skip: DB01 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_restored_database'

# ======================================================================================
# Step 21 of 38: recovery.db01-outage.resubmit_queues_to_restored_database
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Resubmit the mail queued for DTDB01 so that it reaches DB01 (on EX02; a server that cannot be reached is skipped and reported): service back, with all old mail
# ======================================================================================
Get-Queue -Server 'EX02' | Where-Object -Property NextHopDomain -EQ -Value 'DTDB01' | Retry-Queue -Resubmit $true -Confirm:$false
Write-Warning '*** SERVICE BACK: 4 mailboxes have service again (recovery.db01-outage.resubmit_queues_to_restored_database) ***'
Write-Host 'done: recovery.db01-outage.resubmit_queues_to_restored_database'

# ======================================================================================
# Step 22 of 38: recovery.db01-outage.restore_failed_database_mount_at_startup
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Mount DB01 again when its Information Store starts (MountAtStartup back to $true): its users are home on it
# ======================================================================================
Set-MailboxDatabase -Identity 'DB01' -MountAtStartup $true
Write-Host 'done: recovery.db01-outage.restore_failed_database_mount_at_startup'

# ======================================================================================
# Step 23 of 38: recovery.db01-outage.repoint_profiles_to_restored_server
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Repoint the mail profiles of 1 mailbox whose clients do not use Autodiscover at EX01
# ======================================================================================
Write-Warning 'MANUAL STEP recovery.db01-outage.repoint_profiles_to_restored_server: On the clients of db01-user0001@contoso.com (they do not use Autodiscover), point the mail profile at EX01 (or create a new profile), then send a test message.'
# For reference, the commands this step stands for (run or adapt them by hand):
#     Clients without Autodiscover: db01-user0001@contoso.com
$dtWho = Read-Host -Prompt 'Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('confirmed: recovery.db01-outage.repoint_profiles_to_restored_server by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
Write-Host 'done: recovery.db01-outage.repoint_profiles_to_restored_server'

# ======================================================================================
# Step 24 of 38: recovery.db01-outage.copy_dial_tone_files
# Phase: merge   Risk: read_only   Stage: merged   (exchange-recovery.md step 9)
# Copy DTDB01's files (the dial tone mail) to E:\Recovery\RDB01\DTDB01.edb and E:\Recovery\RDB01 on EX01; the originals stay
# Precondition: disk room on EX01 for the copy of DTDB01's files (size or free disk unknown: checked at apply)
# ======================================================================================
# Runs on EX02 and reaches EX01's files through its administrative share: a second hop from inside Invoke-Command. Allow it (Kerberos constrained delegation to EX01's CIFS service, or CredSSP) or the copy fails with access denied.
Invoke-Command -ComputerName 'EX02' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (Test-Path -LiteralPath 'F:\DialTone\DTDB01') {
        robocopy 'F:\DialTone\DTDB01' '\\EX01\E$\Recovery\RDB01' 'DTDB01.edb' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        throw 'STOPPED at recovery.db01-outage.copy_dial_tone_files: F:\DialTone\DTDB01 on EX02 does not exist: the files of DTDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
    if (Test-Path -LiteralPath 'F:\DialTone\DTDB01\Logs') {
        robocopy 'F:\DialTone\DTDB01\Logs' '\\EX01\E$\Recovery\RDB01' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        throw 'STOPPED at recovery.db01-outage.copy_dial_tone_files: F:\DialTone\DTDB01\Logs on EX02 does not exist: the files of DTDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
}
Write-Host 'done: recovery.db01-outage.copy_dial_tone_files'

# ======================================================================================
# Step 25 of 38: recovery.db01-outage.create_recovery_database
# Phase: merge   Risk: reversible   Stage: merged   (exchange-recovery.md step 9)
# Create the recovery database RDB01 on EX01, pointed at DTDB01.edb
# Precondition: name RDB01 is unique in the organization (recovery databases too) and at most 64 characters
# Precondition: RDB01 has its own log folder E:\Recovery\RDB01, not a drive root
# Precondition: RDB01's .edb is named DTDB01.edb (the restored file keeps its name)
# Precondition: the data of DB01 in RDB01: EX02 (Exchange 15.2.1544.4, schema unknown) and EX01 (Exchange 15.2.1544.4, schema unknown) have the same major version; the database schema versions were not compared (unknown)
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'RDB01' -ErrorAction SilentlyContinue)) {
    New-MailboxDatabase -Recovery -Name 'RDB01' -Server 'EX01' -EdbFilePath 'E:\Recovery\RDB01\DTDB01.edb' -LogFolderPath 'E:\Recovery\RDB01'
} else {
    Write-Host 'skip: RDB01 exists already'
}
Write-Host 'done: recovery.db01-outage.create_recovery_database'

# ======================================================================================
# Step 26 of 38: recovery.db01-outage.restart_information_store
# Phase: merge   Risk: user_outage   Stage: merged   (exchange-recovery.md step 9)
# Restart the Information Store on EX01 so that it loads RDB01 (Microsoft's recovery database procedure, step 4). It interrupts every database mounted on EX01 for a minute or two: DB01 (4 mailboxes), DB02 (3 mailboxes); 7 users lose service meanwhile, their mail queues and is delivered after, and each database is mounted again
# ======================================================================================
Write-Warning '*** 7 mailboxes on DB01, DB02 lose service while the Information Store of EX01 restarts (recovery.db01-outage.restart_information_store) ***'
if (-not (Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
        $ErrorActionPreference = 'Stop'
        Restart-Service -Name MSExchangeIS
    }
    if (-not (Get-MailboxDatabase -Identity 'DB01' -Status).Mounted) {
        Mount-Database -Identity 'DB01'
    }
    if (-not (Get-MailboxDatabase -Identity 'DB02' -Status).Mounted) {
        Mount-Database -Identity 'DB02'
    }
} else {
    Write-Host 'skip: RDB01 is mounted: the Information Store on EX01 has loaded it'
}
Write-Host 'done: recovery.db01-outage.restart_information_store'

# ======================================================================================
# Step 27 of 38: recovery.db01-outage.mount_recovery_database_for_merge
# Phase: merge   Risk: read_only   Stage: merged   (exchange-recovery.md step 9)
# Mount RDB01 (a copy of the dial tone mail) and list its mailboxes
# Precondition: RDB01 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: no other recovery database is mounted on EX01
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Mount-Database -Identity 'RDB01'
    Get-MailboxStatistics -Database 'RDB01'
} else {
    Write-Host 'skip: RDB01 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_recovery_database_for_merge'

# ======================================================================================
# Steps 28 to 31 of 38: 4 merges of recovery db01-outage
# Phase: merge   Risk: reversible   Stage: merged   (exchange-recovery.md step 10)
# One named restore request per mailbox, from RDB01; mailboxes absent from RDB01 are skipped (nothing to merge).
# The command each row stands for:
#     New-MailboxRestoreRequest -Name 'dialtone-db01-outage' -SourceDatabase 'RDB01' -SourceStoreMailbox '001fe6ff-0000-4000-8000-000000000001' -TargetMailbox 'db01-user0001@contoso.com' -ConflictResolutionOption KeepSourceItem -BadItemLimit 10
# ======================================================================================
$dtMerges = @(
    @{ Mailbox = 'db01-user0001@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000001' },  # recovery.db01-outage.merge["db01-user0001@contoso.com"]
    @{ Mailbox = 'SystemMailbox{1f05a927}@contoso.com'; Guid = '1f05a927-0000-4000-8000-000000000001' },  # recovery.db01-outage.merge["SystemMailbox{1f05a927}@contoso.com"]
    @{ Mailbox = 'db01-user0002@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000002' },  # recovery.db01-outage.merge["db01-user0002@contoso.com"]
    @{ Mailbox = 'db01-user0003@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000003' }  # recovery.db01-outage.merge["db01-user0003@contoso.com"]
)
$dtPresent = @{}
Get-MailboxStatistics -Database 'RDB01' | ForEach-Object { $dtPresent[([string]$_.MailboxGuid).ToLower()] = $true }
foreach ($dtM in $dtMerges) {
    if (-not $dtPresent[$dtM.Guid.ToLower()]) { Write-Host ('skip: no mailbox ' + $dtM.Guid + ' in ' + 'RDB01'); continue }
    if (Get-MailboxRestoreRequest -TargetMailbox $dtM.Mailbox -Name 'dialtone-db01-outage' -ErrorAction SilentlyContinue) { continue }
    New-MailboxRestoreRequest -Name 'dialtone-db01-outage' -SourceDatabase 'RDB01' -SourceStoreMailbox $dtM.Guid -TargetMailbox $dtM.Mailbox -ConflictResolutionOption KeepSourceItem -BadItemLimit 10 | Out-Null
}
do {
    Start-Sleep -Seconds 30
    $dtOpen = @(Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -ResultSize Unlimited | Where-Object { $_.Status -notin 'Completed','CompletedWithWarning','Failed','Suspended','AutoSuspended' })
    Write-Host ('restore requests still running: ' + $dtOpen.Count)
} while ($dtOpen.Count -gt 0)
$dtFailed = @(Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -ResultSize Unlimited | Where-Object { $_.Status -in 'Failed','Suspended','AutoSuspended' })
if ($dtFailed.Count -gt 0) {
    $dtFailed | Format-Table -AutoSize Name, TargetMailbox, Status
    throw ('' + $dtFailed.Count + ' restore requests stopped (' + (($dtFailed | ForEach-Object { '' + $_.TargetMailbox + '\' + $_.Name + ' ' + $_.Status }) -join '; ') + '): a Failed one: read Get-MailboxRestoreRequestStatistics -IncludeReport, raise -BadItemLimit with Set-MailboxRestoreRequest, then Resume-MailboxRestoreRequest; a suspended one: resume it when its databases are back')
}
Write-Host 'done: 4 merges of db01-outage'

# ======================================================================================
# Step 32 of 38: recovery.db01-outage.remove_restore_requests
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 11)
# Remove the finished restore requests that read from RDB01
# ======================================================================================
Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -Status Completed -ResultSize Unlimited | Remove-MailboxRestoreRequest -Confirm:$false
Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -Status CompletedWithWarning -ResultSize Unlimited | Remove-MailboxRestoreRequest -Confirm:$false
Write-Host 'done: recovery.db01-outage.remove_restore_requests'

# ======================================================================================
# Step 33 of 38: recovery.db01-outage.dismount_recovery_database_after_merge
# Phase: clean_up   Risk: read_only   Stage: complete   (exchange-recovery.md step 11)
# Dismount RDB01
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Dismount-Database -Identity 'RDB01' -Confirm:$false
} else {
    Write-Host 'skip: RDB01 is dismounted already'
}
Write-Host 'done: recovery.db01-outage.dismount_recovery_database_after_merge'

# ======================================================================================
# Step 34 of 38: recovery.db01-outage.remove_recovery_database
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 11)
# Remove the recovery database RDB01 (AD object only; its files stay)
# ======================================================================================
if (Get-MailboxDatabase -Identity 'RDB01' -ErrorAction SilentlyContinue) {
    Remove-MailboxDatabase -Identity 'RDB01' -Confirm:$false
} else {
    Write-Host 'skip: RDB01 is removed already'
}
Write-Host 'done: recovery.db01-outage.remove_recovery_database'

# ======================================================================================
# Step 35 of 38: recovery.db01-outage.delete_recovery_database_files
# Phase: clean_up   Risk: data_loss_risk   Stage: complete   (exchange-recovery.md step 11)
# Delete what dialtone wrote of RDB01's files on EX01 (E:\Recovery\RDB01\DTDB01.edb and its logs in E:\Recovery\RDB01); anything else stays
# ======================================================================================
# Delete only what dialtone recorded writing (the state's "written" records when this plan was made); a folder only once it is empty.
# No file of RDB01 was recorded when this plan was made: run "dialtone plan" again after the earlier steps, or delete by hand only E:\Recovery\RDB01\DTDB01.edb and the log files in E:\Recovery\RDB01 that dialtone recorded writing.
Write-Host 'done: recovery.db01-outage.delete_recovery_database_files'

# ======================================================================================
# Step 36 of 38: recovery.db01-outage.release_failed_database
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 11)
# Open DB01 to new mailboxes again (IsExcludedFromProvisioning back to $false, the hold's reason cleared)
# ======================================================================================
Set-MailboxDatabase -Identity 'DB01' -IsExcludedFromProvisioning $false -IsExcludedFromProvisioningReason $null
Write-Host 'done: recovery.db01-outage.release_failed_database'

# ======================================================================================
# Step 37 of 38: recovery.db01-outage.remove_dial_tone_database
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 11)
# Remove the dial tone database DTDB01 (no mailbox of any kind points at it any more)
# Precondition: no mailbox of any kind (user, system, archive) points at DTDB01
# ======================================================================================
if (Get-MailboxDatabase -Identity 'DTDB01' -ErrorAction SilentlyContinue) {
    Remove-MailboxDatabase -Identity 'DTDB01' -Confirm:$false
} else {
    Write-Host 'skip: DTDB01 is removed already'
}
Write-Host 'done: recovery.db01-outage.remove_dial_tone_database'

# ======================================================================================
# Step 38 of 38: recovery.db01-outage.delete_dial_tone_files
# Phase: clean_up   Risk: data_loss_risk   Stage: complete   (exchange-recovery.md step 11)
# Delete what dialtone wrote of DTDB01's files on EX02 (F:\DialTone\DTDB01\DTDB01.edb and its logs in F:\DialTone\DTDB01\Logs); anything else stays
# ======================================================================================
# Delete only what dialtone recorded writing (the state's "written" records when this plan was made); a folder only once it is empty.
# No file of DTDB01 was recorded when this plan was made: run "dialtone plan" again after the earlier steps, or delete by hand only F:\DialTone\DTDB01\DTDB01.edb and the log files in F:\DialTone\DTDB01\Logs that dialtone recorded writing.
Write-Host 'done: recovery.db01-outage.delete_dial_tone_files'


Write-Host 'dialtone runbook finished: every step is done.'
Stop-Transcript
