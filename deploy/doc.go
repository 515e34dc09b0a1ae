// Package deploy holds the container image's and Kubernetes' deployment of
// `sagekey serve` (see README.md here and the Dockerfile at the repository
// root). It has no code: its test decodes every manifest in kubernetes/
// strictly into the Kubernetes API types, the way the API server's strict
// field validation would, and checks the properties the deployment relies on,
// and the Dockerfile's.
package deploy
