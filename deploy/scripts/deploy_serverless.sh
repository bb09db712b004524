#!/usr/bin/env bash
# Move the 13 worker Lambdas and the two frontends to IMAGE_TAG. Run by buildspec-deploy.yml
# in CodeBuild with: IMAGE_TAG, ECR_REGISTRY, IMAGE_REPOSITORY_PREFIX (image.env), PROJECT,
# QUEUE_KINDS, FRONTEND_PLATFORM, APPRUNNER_SERVICE_ARNS ("name=arn ..."), ECS_CLUSTER.
set -euo pipefail

: "${IMAGE_TAG:?}" "${ECR_REGISTRY:?}" "${IMAGE_REPOSITORY_PREFIX:?}" "${PROJECT:?}" "${QUEUE_KINDS:?}"
image() { echo "${ECR_REGISTRY}/${IMAGE_REPOSITORY_PREFIX}-$1:${IMAGE_TAG}"; }

# --- Lambdas: update all, then wait for each update to finish.
for kind in $QUEUE_KINDS; do
  echo "lambda ${PROJECT}-${kind} -> $(image "worker-${kind}")"
  aws lambda update-function-code --function-name "${PROJECT}-${kind}" \
    --image-uri "$(image "worker-${kind}")" --query LastUpdateStatus --output text
done
for kind in $QUEUE_KINDS; do
  aws lambda wait function-updated-v2 --function-name "${PROJECT}-${kind}"
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
  for name in frontend admin-frontend; do
    service="${PROJECT}-${name}"
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
  done
  aws ecs wait services-stable --cluster "$ECS_CLUSTER" \
    --services "${PROJECT}-frontend" "${PROJECT}-admin-frontend"
fi

echo "serverless deploy of ${IMAGE_TAG} done"
