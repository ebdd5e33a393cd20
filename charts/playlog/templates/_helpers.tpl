{{/* Names ---------------------------------------------------------------------------------- */}}

{{- define "playlog.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-playlog, or the release name when it already says playlog; at most 52 characters
so that "<fullname>-scheduler" stays within the CronJob name limit. */}}
{{- define "playlog.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 42 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "playlog.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels: common to every resource; selector labels add the component (api, worker, ...). */}}
{{- define "playlog.labels" -}}
helm.sh/chart: {{ include "playlog.chart" . }}
app.kubernetes.io/name: {{ include "playlog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: playlog
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Call with (dict "root" $ "component" "api"). */}}
{{- define "playlog.selectorLabels" -}}
app.kubernetes.io/name: {{ include "playlog.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "playlog.componentLabels" -}}
{{ include "playlog.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "playlog.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "playlog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "playlog.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret every pod reads: the operator's, or the one this chart renders. */}}
{{- define "playlog.secretName" -}}
{{- default (include "playlog.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Validation ----------------------------------------------------------------------------- */}}

{{/* Fails the install with every missing value named at once. Included by every workload. */}}
{{- define "playlog.validate" -}}
{{- $problems := list }}
{{- if not .Values.image.repository }}
{{- $problems = append $problems "image.repository is required: the registry/repository you pushed the Playlog image to (docs/deploy.md)" }}
{{- end }}
{{- if not .Values.spotify.clientId }}
{{- $problems = append $problems "spotify.clientId is required: the client id of your Spotify app" }}
{{- end }}
{{- if not .Values.spotify.redirectUri }}
{{- $problems = append $problems "spotify.redirectUri is required: the API's public /auth/callback URL registered with your Spotify app" }}
{{- end }}
{{- if not .Values.secrets.existingSecret }}
{{- $missing := list }}
{{- range $value := list "databaseUrl" "redisUrl" "tokenEncryptionKeys" "spotifyClientSecret" }}
{{- if not (get $.Values.secrets $value) }}
{{- $missing = append $missing (printf "secrets.%s" $value) }}
{{- end }}
{{- end }}
{{- /* Formats are checked here, not in values.schema.json: a schema error would print the secret. */}}
{{- $key := "[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=" }}
{{- $formats := dict "databaseUrl" "^postgres(ql)?://[^\\s]+$" "redisUrl" "^rediss?://[^\\s]+$" "tokenEncryptionKeys" (printf "^\\s*%s(\\s*,\\s*%s)*\\s*$" $key $key) }}
{{- $hints := dict "databaseUrl" "postgres://user:password@host:5432/database" "redisUrl" "redis://host:6379 or rediss://host:6379" "tokenEncryptionKeys" "keyId:base64key[,keyId:base64key] with 32-byte keys (openssl rand -base64 32)" }}
{{- range $value, $format := $formats }}
{{- $given := get $.Values.secrets $value }}
{{- if and $given (not (regexMatch $format $given)) }}
{{- $problems = append $problems (printf "secrets.%s is malformed (value not shown): expected %s" $value (get $hints $value)) }}
{{- end }}
{{- end }}
{{- if and .Values.secrets.adminPassword (lt (len .Values.secrets.adminPassword) 12) }}
{{- $problems = append $problems "secrets.adminPassword is too short (value not shown): use 12 characters or more, or leave it empty to keep the dashboard off" }}
{{- end }}
{{- if $missing }}
{{- $problems = append $problems (printf "secrets: set secrets.existingSecret to a Secret you manage, or give %s (the chart never renders a Secret with empty values)" (join ", " $missing)) }}
{{- end }}
{{- end }}
{{- with .Values.lakeExport }}
{{- if .enabled }}
{{- if not .url }}
{{- $problems = append $problems "lakeExport.url is required when lakeExport.enabled: s3://bucket/prefix (docs/lake.md)" }}
{{- end }}
{{- if not $.Values.secrets.existingSecret }}
{{- if and (eq .userIds "pseudonymous") (not $.Values.secrets.lakePseudonymKey) }}
{{- $problems = append $problems "secrets.lakePseudonymKey is required when lakeExport.userIds is pseudonymous (32 characters or more: openssl rand -hex 32), or set lakeExport.userIds=plain" }}
{{- end }}
{{- if and $.Values.secrets.lakePseudonymKey (lt (len $.Values.secrets.lakePseudonymKey) 32) }}
{{- $problems = append $problems "secrets.lakePseudonymKey is too short (value not shown): use 32 characters or more" }}
{{- end }}
{{- if ne (empty $.Values.secrets.lakeS3AccessKeyId) (empty $.Values.secrets.lakeS3SecretAccessKey) }}
{{- $problems = append $problems "secrets.lakeS3AccessKeyId and secrets.lakeS3SecretAccessKey go together: give both, or neither to use the AWS SDK's default credentials (IRSA, instance role)" }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.emulator.enabled (ne (int .Values.api.replicas) 1) }}
{{- $problems = append $problems "emulator.enabled needs api.replicas=1: the emulator runs inside the API pod and keeps its state in memory" }}
{{- end }}
{{- if $problems }}
{{- fail (printf "\n\nPlaylog cannot be installed with these values:\n  - %s\n" (join "\n  - " $problems)) }}
{{- end }}
{{- end }}

{{/* Environment ---------------------------------------------------------------------------- */}}

{{/* Secret variables, only those a component reads. Call with (dict "root" $ "names" (list ...)),
names from secrets.keys (databaseUrl, redisUrl, ...). A value the chart's own Secret does not hold
(an empty optional one) is left out; from an existing Secret, optional ones are optional refs. */}}
{{- define "playlog.secretEnv" -}}
{{- $root := .root }}
{{- $optional := list "adminPassword" "lakeS3AccessKeyId" "lakeS3SecretAccessKey" }}
{{- range $value := .names }}
{{- $key := get $root.Values.secrets.keys $value }}
{{- if or $root.Values.secrets.existingSecret (get $root.Values.secrets $value) }}
- name: {{ get (dict "databaseUrl" "DATABASE_URL" "redisUrl" "REDIS_URL" "tokenEncryptionKeys" "TOKEN_ENCRYPTION_KEYS" "spotifyClientSecret" "SPOTIFY_CLIENT_SECRET" "adminPassword" "ADMIN_PASSWORD" "lakePseudonymKey" "LAKE_PSEUDONYM_KEY" "lakeS3AccessKeyId" "LAKE_S3_ACCESS_KEY_ID" "lakeS3SecretAccessKey" "LAKE_S3_SECRET_ACCESS_KEY") $value }}
  valueFrom:
    secretKeyRef:
      name: {{ include "playlog.secretName" $root }}
      key: {{ $key }}
      {{- if has $value $optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Spotify URLs as one component sees them. With the emulator, the API reaches it on its own
pod's loopback (the browser's address through a port-forward) and other pods through the API
Service. Call with (dict "root" $ "component" "api"). */}}
{{- define "playlog.spotifyUrlEnv" -}}
{{- $root := .root }}
{{- if $root.Values.emulator.enabled }}
{{- $host := ternary "127.0.0.1" (printf "%s-api" (include "playlog.fullname" $root)) (eq .component "api") }}
- name: SPOTIFY_ACCOUNTS_URL
  value: {{ printf "http://%s:%d/accounts" $host (int $root.Values.emulator.port) | quote }}
- name: SPOTIFY_API_URL
  value: {{ printf "http://%s:%d/v1" $host (int $root.Values.emulator.port) | quote }}
{{- else }}
- name: SPOTIFY_ACCOUNTS_URL
  value: {{ $root.Values.spotify.accountsUrl | quote }}
- name: SPOTIFY_API_URL
  value: {{ $root.Values.spotify.apiUrl | quote }}
{{- end }}
{{- end }}

{{/* Pod pieces -------------------------------------------------------------------------------- */}}

{{/* Restarts pods when their configuration changes. */}}
{{- define "playlog.configChecksums" -}}
checksum/config: {{ include "playlog.configData" . | sha256sum }}
checksum/secret: {{ printf "%s/%s" .Values.secrets.existingSecret (include "playlog.secretData" .) | sha256sum }}
{{- end }}

{{/* The ConfigMap's data (configmap.yaml), also hashed into pod annotations. */}}
{{- define "playlog.configData" -}}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
LOG_FORMAT: {{ .Values.config.logFormat | quote }}
DATABASE_POOL_MAX: {{ .Values.config.databasePoolMax | quote }}
QUEUE_PREFIX: {{ .Values.config.queuePrefix | quote }}
SPOTIFY_CLIENT_ID: {{ .Values.spotify.clientId | quote }}
SPOTIFY_REDIRECT_URI: {{ .Values.spotify.redirectUri | quote }}
SPOTIFY_HTTP_TIMEOUT_MS: {{ .Values.spotify.httpTimeoutMs | quote }}
{{- end }}

{{/* The chart's Secret's data (secret.yaml): non-empty values only. */}}
{{- define "playlog.secretData" -}}
{{- range $value := list "databaseUrl" "redisUrl" "tokenEncryptionKeys" "spotifyClientSecret" "adminPassword" "lakePseudonymKey" "lakeS3AccessKeyId" "lakeS3SecretAccessKey" }}
{{- with get $.Values.secrets $value }}
{{ get $.Values.secrets.keys $value }}: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- define "playlog.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{- define "playlog.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Streaming-history uploads: the API writes them, workers read them, so both mount one claim. */}}
{{- define "playlog.importsClaimName" -}}
{{- .Values.imports.persistence.existingClaim | default (printf "%s-imports" (include "playlog.fullname" .)) -}}
{{- end }}

{{- define "playlog.importsVolume" -}}
{{- if .Values.imports.persistence.enabled }}
- name: imports
  persistentVolumeClaim:
    claimName: {{ include "playlog.importsClaimName" . }}
{{- end }}
{{- end }}

{{/*
IMPORT_DIR and EXPORT_DIR for the API and the workers: directories of Playlog's own inside the shared
volume (the volume's root belongs to root and fsGroup, and Playlog refuses a directory another user owns).
*/}}
{{- define "playlog.importDirEnv" -}}
{{- if .Values.imports.persistence.enabled }}
- name: IMPORT_DIR
  value: /var/lib/playlog/imports/uploads
- name: EXPORT_DIR
  value: /var/lib/playlog/imports/exports
{{- end }}
{{- end }}

{{- define "playlog.importsMount" -}}
{{- if .Values.imports.persistence.enabled }}
- name: imports
  mountPath: /var/lib/playlog/imports
{{- end }}
{{- end }}

{{- define "playlog.podSpecCommon" -}}
serviceAccountName: {{ include "playlog.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* nodeSelector, tolerations, affinity of one component's values. */}}
{{- define "playlog.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "playlog.migrate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "playlog.fullname" . }}-migrate
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* PUBLIC_URL of the API: api.publicUrl, else https://<first ingress host> with an Ingress. */}}
{{- define "playlog.publicUrl" -}}
{{- if .Values.api.publicUrl }}
{{- .Values.api.publicUrl }}
{{- else if and .Values.api.ingress.enabled .Values.api.ingress.hosts }}
{{- $scheme := ternary "https" "http" (gt (len .Values.api.ingress.tls) 0) }}
{{- printf "%s://%s" $scheme (first .Values.api.ingress.hosts).host }}
{{- end }}
{{- end }}
