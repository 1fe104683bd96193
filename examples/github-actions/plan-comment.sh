#!/usr/bin/env bash
# plan-comment.sh EXITCODE PLAN_MD [PLAN_ERR]
#
# Posts the dialtone plan of a pull request as one comment, or updates the comment it
# posted before (found by the hidden marker <!-- dialtone-plan --> at the start of a
# comment written by the posting identity), so a pull request carries exactly one plan
# comment, always the latest. A comment by anyone else is never updated, marker or not:
# whoever can comment on the pull request could otherwise plant one and have the plan
# written into it (then edit it to say something else).
#
#   EXITCODE  the exit status of "dialtone plan -detailed-exitcode": 0 no changes,
#             2 changes, anything else an error
#   PLAN_MD   the plan as Markdown (plan -format=markdown)
#   PLAN_ERR  what plan printed on stderr (shown when it failed), optional
#
# Environment: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), PR_NUMBER, and optionally
# GITHUB_API_URL (default https://api.github.com), GITHUB_SHA and DIALTONE_COMMENT_AUTHOR,
# the login that posts (default github-actions[bot], the identity of GITHUB_TOKEN; set it
# when the token is a user's or another app's).
# DIALTONE_COMMENT_OUT=FILE writes the comment body to FILE and calls no API (tests).
#
# The body never exceeds 65,000 characters (GitHub refuses comments over 65,536):
# dialtone's Markdown already fits; the lines added here are counted, and a body that
# would still be too long is cut, between blocks (never inside a code fence or a
# <details> section, which would hide what follows), with a note pointing at the JSON
# plan.
set -euo pipefail

MARKER='<!-- dialtone-plan -->'
LIMIT=65000

if [ $# -lt 2 ]; then
	echo "usage: plan-comment.sh EXITCODE PLAN_MD [PLAN_ERR]" >&2
	exit 64
fi
code=$1
plan_md=$2
plan_err=${3:-}
export LC_ALL=C.UTF-8 2>/dev/null || true

case "$code" in
0) status="No changes: every recovery is at its requested stage." ;;
2) status="Changes to review. Once merged, apply the plan file that the workflow saves from the default branch (artifact \`dialtone-plan-<commit>\`)." ;;
*) status="**The plan failed** (exit status $code): see the errors below." ;;
esac

commit=""
if [ -n "${GITHUB_SHA:-}" ]; then
	commit="Commit \`${GITHUB_SHA:0:12}\`: "
fi

head="$MARKER
$commit$status
"
foot="
<sub>Posted by dialtone's plan workflow; it updates this comment on every push.</sub>"

# safe_cut N: the longest run of whole lines of stdin, at most N bytes (so at most N
# characters), after which every code fence and <details> section is closed: a cut
# inside one would swallow the note that follows (and the footer) unseen.
safe_cut() {
	awk -v room="$1" '
	{ lines[NR] = $0 }
	{
		used += length($0) + 1
		if (used > room) exit
		if (fence == "") {
			if (match($0, /^ {0,3}(```+|~~~+)/)) {
				f = substr($0, RSTART, RLENGTH); sub(/^ +/, "", f); fence = f
			} else {
				depth += gsub(/<details>|<details /, "&") - gsub(/<\/details>/, "&")
			}
		} else if (match($0, /^ {0,3}(```+|~~~+)[ \t]*$/)) {
			f = substr($0, RSTART, RLENGTH); sub(/^ +/, "", f); sub(/[ \t]+$/, "", f)
			if (substr(f, 1, 1) == substr(fence, 1, 1) && length(f) >= length(fence)) fence = ""
		}
		if (fence == "" && depth <= 0) safe = NR
	}
	END { for (i = 1; i <= safe; i++) print lines[i] }'
}

if [ "$code" = 0 ] || [ "$code" = 2 ]; then
	main=$(cat "$plan_md")
else
	err=""
	if [ -n "$plan_err" ] && [ -f "$plan_err" ]; then
		err=$(cat "$plan_err")
	fi
	if [ "${#err}" -gt $((LIMIT - 1000)) ]; then # cut here: a cut of the fenced whole would leave nothing
		err="${err:0:$((LIMIT - 1000))}"$'\n[... cut to fit one comment]'
	fi
	# The fence is longer than any run of backticks in the errors (which quote the
	# configuration), so that nothing in them can close it and write Markdown.
	longest=$(grep -o '`*' <<<"$err" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
	fence='```'
	while [ "${#fence}" -le "$longest" ]; do
		fence="$fence\`"
	done
	main=$(printf '## dialtone plan\n\n%s\n%s\n%s\n' "$fence" "$err" "$fence")
fi

room=$((LIMIT - ${#head} - ${#foot} - 3)) # the two newlines joining the parts and the last one
if [ "${#main}" -gt "$room" ]; then
	note=$'\n\n**The plan was cut to fit one comment**: `dialtone plan -json` of this configuration has every step (after merge, so does the plan file the workflow saves, artifact `dialtone-plan-<commit>`).'
	main="$(safe_cut "$((room - ${#note}))" <<<"$main")$note"
fi
body="$head
$main
$foot"

if [ -n "${DIALTONE_COMMENT_OUT:-}" ]; then
	printf '%s\n' "$body" >"$DIALTONE_COMMENT_OUT"
	exit 0
fi

: "${GITHUB_TOKEN:?GITHUB_TOKEN is not set}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
: "${PR_NUMBER:?PR_NUMBER is not set}"
api=${GITHUB_API_URL:-https://api.github.com}

gh_api() { # METHOD URL [DATA]
	local args=(-fsSL -X "$1" -H "Authorization: Bearer $GITHUB_TOKEN" -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28")
	if [ $# -ge 3 ]; then
		args+=(--data-binary "$3")
	fi
	curl "${args[@]}" "$2"
}

author=${DIALTONE_COMMENT_AUTHOR:-github-actions[bot]}

# The previous comment: the first by the posting identity that starts with the marker,
# on any page.
id=""
page=1
while [ -z "$id" ]; do
	comments=$(gh_api GET "$api/repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments?per_page=100&page=$page")
	[ "$(jq length <<<"$comments")" -gt 0 ] || break
	id=$(jq -r --arg m "$MARKER" --arg a "$author" \
		'[.[] | select(.user.login == $a and ((.body // "") | startswith($m)))][0].id // empty' <<<"$comments")
	page=$((page + 1))
done

data=$(jq -n --arg body "$body" '{body: $body}')
if [ -n "$id" ]; then
	gh_api PATCH "$api/repos/$GITHUB_REPOSITORY/issues/comments/$id" "$data" >/dev/null
	echo "Updated the plan comment $id on pull request #$PR_NUMBER."
else
	gh_api POST "$api/repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" "$data" >/dev/null
	echo "Posted the plan comment on pull request #$PR_NUMBER."
fi
