#!/usr/bin/env bash
# Build the workspace once and the 6 images from it (5 services, 1 worker image that the 13
# Lambdas share); push them when PUSH=1. The first push also gives each image the tag the
# workloads are created with (BOOTSTRAP_IMAGE_TAG, Terraform's image_tag), once: ECR tags are
# immutable and the lifecycle policy keeps that tag for good.
# Used by buildspec.yml; also runs by hand on a machine with Docker:
#   ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com IMAGE_TAG=dev PUSH=0 docker/build-images.sh
set -euo pipefail

: "${ECR_REGISTRY:?ECR_REGISTRY is required}"
: "${IMAGE_TAG:?IMAGE_TAG is required}"
IMAGE_REPOSITORY_PREFIX="${IMAGE_REPOSITORY_PREFIX:-prod/migrationai}"
SERVICES="${SERVICES:-frontend admin-frontend backend-api admin-backend tfp}"
BOOTSTRAP_IMAGE_TAG="${BOOTSTRAP_IMAGE_TAG:-bootstrap}"
PUSH="${PUSH:-1}"

export DOCKER_BUILDKIT=1
# Lambda rejects manifest lists: no provenance attestations.
export BUILDX_NO_DEFAULT_ATTESTATIONS=1

cd "$(dirname "$0")/.."

role_of() {
  case "$1" in
    frontend) echo web ;;
    admin-frontend) echo admin-web ;;
    backend-api) echo api ;;
    admin-backend) echo admin-api ;;
    tfp) echo tfp ;;
    *) echo "unknown service $1" >&2; return 1 ;;
  esac
}

build_image="migrationai-build:${IMAGE_TAG}"
repositories=()

# 1. The workspace, compiled once (the dependency layer is cached by cargo-chef).
docker build -f docker/Dockerfile.build --target artifact -t "$build_image" .

# 2. The five services: one target of Dockerfile.service each.
for svc in $SERVICES; do
  repo="${IMAGE_REPOSITORY_PREFIX}-${svc}"
  docker build -f docker/Dockerfile.service --target "$(role_of "$svc")" \
    --build-arg BUILD_IMAGE="$build_image" -t "${ECR_REGISTRY}/${repo}:${IMAGE_TAG}" docker/
  repositories+=("$repo")
done

# 3. The worker image the 13 queue functions run (provided.al2023).
repo="${IMAGE_REPOSITORY_PREFIX}-worker"
docker build -f docker/Dockerfile.lambda --build-arg BUILD_IMAGE="$build_image" \
  -t "${ECR_REGISTRY}/${repo}:${IMAGE_TAG}" docker/
repositories+=("$repo")

for repo in "${repositories[@]}"; do
  docker image inspect --format "${repo}: {{.Size}} bytes uncompressed" "${ECR_REGISTRY}/${repo}:${IMAGE_TAG}"
done

if [ "$PUSH" = "1" ]; then
  for repo in "${repositories[@]}"; do
    docker push "${ECR_REGISTRY}/${repo}:${IMAGE_TAG}"
    # The creation tag, once per repository, on the same manifest (no second upload).
    if ! aws ecr describe-images --repository-name "$repo" \
      --image-ids imageTag="$BOOTSTRAP_IMAGE_TAG" >/dev/null 2>&1; then
      manifest="$(aws ecr batch-get-image --repository-name "$repo" --image-ids imageTag="$IMAGE_TAG" \
        --query 'images[0].imageManifest' --output text)"
      aws ecr put-image --repository-name "$repo" --image-tag "$BOOTSTRAP_IMAGE_TAG" \
        --image-manifest "$manifest" >/dev/null
      echo "${repo}: tagged ${BOOTSTRAP_IMAGE_TAG}"
    fi
  done
fi

echo "built ${#repositories[@]} images with tag ${IMAGE_TAG}"
