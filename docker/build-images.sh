#!/usr/bin/env bash
# Build the workspace once and the 18 deployed images from it; push them when PUSH=1.
# Used by buildspec.yml; also runs by hand on a machine with Docker:
#   ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com IMAGE_TAG=dev PUSH=0 docker/build-images.sh
set -euo pipefail

: "${ECR_REGISTRY:?ECR_REGISTRY is required}"
: "${IMAGE_TAG:?IMAGE_TAG is required}"
IMAGE_REPOSITORY_PREFIX="${IMAGE_REPOSITORY_PREFIX:-prod/migrationai}"
SERVICES="${SERVICES:-frontend admin-frontend backend-api admin-backend tfp}"
QUEUE_KINDS="${QUEUE_KINDS:-contacts projects sections notes calendar tasks billing-items project-funds billing-invoice payment project-email document jobs}"
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
images=()

# 1. The workspace, compiled once (the dependency layer is cached by cargo-chef).
docker build -f docker/Dockerfile.build --target artifact -t "$build_image" .

# 2. The five services: one target of Dockerfile.service each.
for svc in $SERVICES; do
  image="${ECR_REGISTRY}/${IMAGE_REPOSITORY_PREFIX}-${svc}:${IMAGE_TAG}"
  docker build -f docker/Dockerfile.service --target "$(role_of "$svc")" \
    --build-arg BUILD_IMAGE="$build_image" -t "$image" docker/
  images+=("$image")
done

# 3. The thirteen queue workers on provided.al2023.
for kind in $QUEUE_KINDS; do
  image="${ECR_REGISTRY}/${IMAGE_REPOSITORY_PREFIX}-worker-${kind}:${IMAGE_TAG}"
  docker build -f docker/Dockerfile.lambda --build-arg BUILD_IMAGE="$build_image" \
    --build-arg QUEUE_KIND="$kind" -t "$image" docker/
  images+=("$image")
done

if [ "$PUSH" = "1" ]; then
  for image in "${images[@]}"; do
    docker push "$image"
  done
fi

echo "built ${#images[@]} images with tag ${IMAGE_TAG}"
