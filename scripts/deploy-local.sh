#!/usr/bin/env bash
# Deploys the ekbar stack to LocalStack on loopback with the CDK CLI.
#
#   AWS_ENDPOINT_URL                 emulator endpoint
#                                    (default http://127.0.0.1:4566)
#   EKBAR_NOTIFICATION_PROVIDER_URL  https:// URL of the notification
#                                    provider (default: none, so the
#                                    notification consumer dead-letters
#                                    every task)
#
# Extra arguments go to `cdk deploy`, for example --outputs-file out.json.
set -euo pipefail

endpoint="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
region=ap-south-1

host="$(node -e 'try { console.log(new URL(process.argv[1]).hostname) } catch { console.log("") }' "$endpoint")"
case "$host" in
  127.* | localhost | '[::1]') ;;
  *)
    echo "error: AWS_ENDPOINT_URL is \"$endpoint\"; deploy:local deploys only to an emulator on loopback, such as http://127.0.0.1:4566" >&2
    exit 2
    ;;
esac

# Any HTTP response passes, because the check only detects a missing
# emulator.
if ! curl --silent --output /dev/null --max-time 5 "$endpoint"; then
  echo "error: no AWS emulator responds at $endpoint; start LocalStack (localstack start -d, or docker run -p 4566:4566 localstack/localstack) or set AWS_ENDPOINT_URL to its endpoint" >&2
  exit 1
fi

# Dummy credentials and the emulator endpoint only, so that nothing from
# the caller's AWS profile can point the CLI at a real account.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_ENDPOINT_URL="$endpoint"
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION="$region"
export AWS_DEFAULT_REGION="$region"

context=()
if [[ -n "${EKBAR_NOTIFICATION_PROVIDER_URL:-}" ]]; then
  context+=(-c "notificationProviderUrl=$EKBAR_NOTIFICATION_PROVIDER_URL")
fi

cd "$(dirname "$0")/.."
echo "bootstrapping the CDK environment at $endpoint ($region)"
npx cdk bootstrap "${context[@]}"
echo "deploying the Ekbar stack to $endpoint ($region)"
npx cdk deploy Ekbar --require-approval never "${context[@]}" "$@"
