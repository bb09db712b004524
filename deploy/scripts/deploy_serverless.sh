#!/usr/bin/env bash
# Move the worker Lambdas and the two frontends to IMAGE_TAG. Run by buildspec-deploy.yml in
# CodeBuild with: IMAGE_TAG, ECR_REGISTRY, IMAGE_REPOSITORY_PREFIX (image.env), and from
# Terraform: DB_SETUP_FUNCTION, LAMBDA_FUNCTIONS (the functions that exist), FRONTEND_PLATFORM,
# APPRUNNER_SERVICE_ARNS ("name=arn ..."), ECS_CLUSTER, ECS_SERVICES ("name=service ...").
# Before the apply with deploy_workloads = true those lists are empty and nothing is updated.
set -euo pipefail

: "${IMAGE_TAG:?}" "${ECR_REGISTRY:?}" "${IMAGE_REPOSITORY_PREFIX:?}"
image() { echo "${ECR_REGISTRY}/${IMAGE_REPOSITORY_PREFIX}-$1:${IMAGE_TAG}"; }

# --- The database first (infra/README.md, "Database users"): db-setup moves to the new image
# and migrates as the owner; the roles refuse a schema that is behind, so nothing else moves
# before it succeeds. The function's error (FunctionError) stops the deploy.
if [ -n "${DB_SETUP_FUNCTION:-}" ]; then
  echo "lambda ${DB_SETUP_FUNCTION} -> $(image worker)"
  aws lambda update-function-code --function-name "$DB_SETUP_FUNCTION" \
    --image-uri "$(image worker)" --query LastUpdateStatus --output text
  aws lambda wait function-updated-v2 --function-name "$DB_SETUP_FUNCTION"
  error="$(aws lambda invoke --function-name "$DB_SETUP_FUNCTION" --cli-read-timeout 900 \
    --query FunctionError --output text /tmp/db-setup.json)"
  cat /tmp/db-setup.json; echo
  if [ -n "$error" ] && [ "$error" != "None" ]; then
    echo "db setup failed (${error}): no role was moved" >&2
    exit 1
  fi
fi

# --- Lambdas: every function runs the one worker image; update all, then wait for each.
for fn in ${LAMBDA_FUNCTIONS:-}; do
  echo "lambda ${fn} -> $(image worker)"
  aws lambda update-function-code --function-name "$fn" \
    --image-uri "$(image worker)" --query LastUpdateStatus --output text
done
for fn in ${LAMBDA_FUNCTIONS:-}; do
  aws lambda wait function-updated-v2 --function-name "$fn"
done

# --- Frontends.
if [ "${FRONTEND_PLATFORM:-apprunner}" = "apprunner" ]; then
  for pair in ${APPRUNNER_SERVICE_ARNS:-}; do
    name="${pair%%=*}"
    arn="${pair#*=}"
    # Keep the service's source configuration (roles, port, environment); change the image only.
    aws apprunner describe-service --service-arn "$arn" --query Service.SourceConfiguration \
      --output json | jq --arg img "$(image "$name")" \
      '.ImageRepository.ImageIdentifier = $img | del(.CodeRepository)' > "/tmp/${name}-source.json"
    echo "apprunner ${name} -> $(image "$name")"
    aws apprunner update-service --service-arn "$arn" \
      --source-configuration "file:///tmp/${name}-source.json" --query Service.Status --output text
  done
  # Wait for both deployments (update-service starts one each).
  for pair in ${APPRUNNER_SERVICE_ARNS:-}; do
    arn="${pair#*=}"
    for _ in $(seq 1 90); do
      status="$(aws apprunner describe-service --service-arn "$arn" --query Service.Status --output text)"
      [ "$status" = "OPERATION_IN_PROGRESS" ] || break
      sleep 10
    done
    echo "apprunner ${pair%%=*}: ${status}"
    [ "$status" = "RUNNING" ] || { echo "App Runner deployment failed" >&2; exit 1; }
  done
else
  services=()
  for pair in ${ECS_SERVICES:-}; do
    name="${pair%%=*}"
    service="${pair#*=}"
    current="$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$service" \
      --query 'services[0].taskDefinition' --output text)"
    aws ecs describe-task-definition --task-definition "$current" --query taskDefinition --output json |
      jq --arg img "$(image "$name")" '
        .containerDefinitions[0].image = $img
        | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
              .registeredAt, .registeredBy, .deregisteredAt)' > "/tmp/${name}-taskdef.json"
    next="$(aws ecs register-task-definition --cli-input-json "file:///tmp/${name}-taskdef.json" \
      --query taskDefinition.taskDefinitionArn --output text)"
    echo "ecs ${service} -> ${next}"
    aws ecs update-service --cluster "$ECS_CLUSTER" --service "$service" \
      --task-definition "$next" --query service.status --output text
    services+=("$service")
  done
  if [ "${#services[@]}" -gt 0 ]; then
    aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "${services[@]}"
  fi
fi

echo "serverless deploy of ${IMAGE_TAG} done"
