package trailgen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// The bulk of a trail is written by appending hand-written templates, not
// by marshaling: a million events must take seconds, and the templates
// keep CloudTrail's field order and the fields sagekey never reads
// (tlsDetails, additionalEventData, sessionContext attributes), so the
// splitter and the prefilter see a real record's bytes.

type noiseKind int

const (
	ec2Describe noiseKind = iota
	ec2Run
	s3Get
	s3Put
	iamRead
	assumeByUser
	assumeByEC2
	assumeBySageMaker
	kmsByS3
)

// noiseOf picks a kind of noise for u in [0, 1000): each kind's share of
// the noise is per mille. KMS calls S3 makes for SSE-KMS objects and
// SageMaker assuming its execution role are the noise a byte prefilter on
// the event sources cannot tell from interesting events; it skips the rest
// unread.
func noiseOf(u int) noiseKind {
	for _, m := range [...]struct {
		kind     noiseKind
		perMille int
	}{
		{ec2Describe, 300}, {ec2Run, 30}, {s3Get, 220}, {s3Put, 80}, {iamRead, 155}, {assumeByUser, 110},
		{assumeByEC2, 85}, {assumeBySageMaker, 5},
	} {
		if u < m.perMille {
			return m.kind
		}
		u -= m.perMille
	}
	return kmsByS3 // the last 15 per mille
}

// The sizes of the vocabulary, and the role SageMaker runs as.
const (
	nRoles   = 7
	nUsers   = 3
	execRole = 5
)

// vocab is the fixed vocabulary of the generated estate.
type vocab struct {
	roles         [nRoles]string
	users         [nUsers]string
	noiseAgents   [6]string
	createAgents  [4]string
	instanceTypes [5]string
	objects       [6]string
}

func newVocab() *vocab {
	return &vocab{
		roles: [...]string{"data-pipeline", "ci-deployer", "eks-node-role", "analytics-readonly",
			"AWSReservedSSO_AdministratorAccess_4f2c1a9b3e8d7c6a", "ml-training-execution", "lambda-etl"},
		users: [...]string{"alice", "bob", "terraform-ci"},
		noiseAgents: [...]string{
			"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off",
			"Boto3/1.34.69 Python/3.12.2 Linux/5.10.213-201.855.amzn2.x86_64 Botocore/1.34.69",
			"aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.156.0",
			"aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10",
			"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.680 Linux/5.10.213-201.855.amzn2int.x86_64]",
			"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0",
		},
		createAgents: [...]string{
			"APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/sagemaker#1.168.1",
			"Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.35.76 AWS-SageMaker-Python-SDK/2.237.0",
			"AWS Internal",
			"aws-cli/2.22.12 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#sagemaker.create-training-job",
		},
		instanceTypes: [...]string{"m5.large", "c6i.xlarge", "t3.medium", "r6g.2xlarge", "g5.xlarge"},
		objects: [...]string{"raw/events/part-00017.snappy.parquet", "features/v3/train.csv", "models/xgb/model.tar.gz",
			"logs/app/2026/01/01/app.log.gz", "athena-results/9f1c2b7e.csv", "checkpoints/run-42/step-1000.pt"},
	}
}

// generator holds what stays the same across files.
type generator struct {
	o *Options
	v *vocab
	// ids holds each account's principal IDs and buckets.
	ids map[string]*principals
	buf []byte
}

// principals are one account's role and user IDs and bucket names.
type principals struct {
	roles   [nRoles]string
	users   [nUsers]string
	buckets [3]string
}

func newGenerator(o *Options) *generator {
	return &generator{o: o, v: newVocab(), ids: map[string]*principals{}}
}

// principals returns account's IDs, which depend only on the seed and the
// account.
func (g *generator) principals(account string) *principals {
	if p, ok := g.ids[account]; ok {
		return p
	}
	p := &principals{}
	r := newRand(g.o.Seed, "principals", account)
	for i := range p.roles {
		p.roles[i] = string(appendAlnum([]byte("AROA"), r, 17, upperAlnum))
	}
	for i := range p.users {
		p.users[i] = string(appendAlnum([]byte("AIDA"), r, 17, upperAlnum))
	}
	for i, use := range [...]string{"datalake", "ml-artifacts", "app-logs"} {
		p.buckets[i] = "acme-" + use + "-" + account[:4]
	}
	g.ids[account] = p
	return p
}

// rec writes the records of one file.
type rec struct {
	b               []byte
	r               *rand.Rand
	o               *Options
	v               *vocab
	p               *principals
	account, region string
	hourPrefix      string // "2026-01-01T03:"
	hourTag         string // "20260101t03", for unique resource names
	keys            []string
	s3Key           string
	seq             int
	sum             *Summary
}

// file writes one log file's JSON into raw and returns the random part of
// its name.
func (g *generator) file(raw *bytes.Buffer, f hourKey, n int, extras []trail.Event, sum *Summary) (string, error) {
	r := newRand(g.o.Seed, "file", f.account, f.region, f.hour.Format(time.RFC3339))
	fileID := string(appendAlnum(nil, r, 16, mixedAlnum))
	w := &rec{b: g.buf[:0], r: r, o: g.o, v: g.v, p: g.principals(f.account), account: f.account, region: f.region,
		hourPrefix: f.hour.Format("2006-01-02T15:"), hourTag: strings.ToLower(f.hour.Format("20060102T15")),
		keys: cellKeys(g.o.Keys, f.account, f.region), sum: sum,
		s3Key: "arn:aws:kms:" + f.region + ":" + f.account + ":key/" + uuid(newRand(g.o.Seed, "s3key", f.account, f.region))}
	extras = slices.Clone(extras)
	slices.SortStableFunc(extras, func(a, b trail.Event) int { return a.EventTime.Compare(b.EventTime) })

	w.b = append(w.b, `{"Records":[`...)
	first := true
	ei := 0
	for i := range n {
		sec := i * 3600 / n
		at := f.hour.Add(time.Duration(sec) * time.Second)
		for ; ei < len(extras) && extras[ei].EventTime.Before(at); ei++ {
			if err := w.extra(extras[ei], &first); err != nil {
				return "", err
			}
		}
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.event(sec)
	}
	for ; ei < len(extras); ei++ {
		if err := w.extra(extras[ei], &first); err != nil {
			return "", err
		}
	}
	w.b = append(w.b, "]}\n"...)
	raw.Write(w.b)
	g.buf = w.b
	return fileID, nil
}

// cellKeys are the keys of account and region, or all keys when it has
// none.
func cellKeys(keys []string, account, region string) []string {
	var out []string
	for _, k := range keys {
		if parts := strings.SplitN(k, ":", 6); len(parts) == 6 && parts[3] == region && parts[4] == account {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return keys
	}
	return out
}

func (w *rec) extra(ev trail.Event, first *bool) error {
	j, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if !*first {
		w.b = append(w.b, ',')
	}
	*first = false
	w.b = append(w.b, j...)
	w.sum.Events++
	if ev.EventSource == trail.SourceKMS || ev.EventSource == trail.SourceSageMaker {
		w.sum.Interesting++
	}
	if (ev.EventSource == trail.SourceKMS || ev.EventSource == trail.SourceSageMaker) &&
		(bytes.Contains(j, []byte(`kms.amazonaws.com"`)) || bytes.Contains(j, []byte(`sagemaker.amazonaws.com"`))) {
		w.sum.Candidates++
	}
	return nil
}

// event writes one generated event at sec seconds into the hour.
func (w *rec) event(sec int) {
	w.sum.Events++
	if w.r.Float64() < w.o.InterestShare {
		w.sum.Interesting++
		w.sum.Candidates++
		w.interesting(sec)
		return
	}
	switch noiseOf(w.r.IntN(1000)) {
	case ec2Describe:
		w.ec2Describe(sec)
	case ec2Run:
		w.ec2Run(sec)
	case s3Get:
		w.s3Object(sec, false)
	case s3Put:
		w.s3Object(sec, true)
	case iamRead:
		w.iamRead(sec)
	case assumeByUser:
		w.assumeRole(sec, "")
	case assumeByEC2:
		w.assumeRole(sec, "ec2.amazonaws.com")
	case assumeBySageMaker:
		// Names sagemaker.amazonaws.com, but its event source is STS.
		w.assumeRole(sec, trail.SourceSageMaker)
	case kmsByS3:
		w.sum.Candidates++
		w.kmsByS3(sec)
	}
}

func (w *rec) interesting(sec int) {
	switch u := w.r.IntN(100); {
	case u < 55:
		w.sum.SageMakerKMS++
		w.kmsBySageMaker(sec)
	case u < 70:
		w.kmsByRole(sec)
	case u < 95:
		w.sageMakerRead(sec)
	default:
		w.sum.Creates++
		w.sageMakerCreate(sec)
	}
}

// --- the parts of a record ---

func (w *rec) s(v string) { w.b = append(w.b, v...) }

// begin opens a record: its version and the start of userIdentity.
func (w *rec) begin(version string) {
	w.s(`{"eventVersion":"`)
	w.s(version)
	w.s(`","userIdentity":`)
}

// assumed writes an assumed-role identity of role i; invokedBy, when set,
// is the service that called on the session's behalf.
func (w *rec) assumed(i int, session, invokedBy string) {
	role := w.v.roles[i]
	w.s(`{"type":"AssumedRole","principalId":"`)
	w.s(w.p.roles[i])
	w.s(`:`)
	w.s(session)
	w.s(`","arn":"arn:aws:sts::`)
	w.s(w.account)
	w.s(`:assumed-role/`)
	w.s(role)
	w.s(`/`)
	w.s(session)
	w.s(`","accountId":"`)
	w.s(w.account)
	w.s(`","accessKeyId":"ASIA`)
	w.b = appendAlnum(w.b, w.r, 16, upperAlnum)
	w.s(`","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`)
	w.s(w.p.roles[i])
	w.s(`","arn":"arn:aws:iam::`)
	w.s(w.account)
	w.s(`:role/`)
	w.s(role)
	w.s(`","accountId":"`)
	w.s(w.account)
	w.s(`","userName":"`)
	w.s(role)
	w.s(`"},"webIdFederationData":{},"attributes":{"creationDate":"`)
	w.s(w.hourPrefix)
	w.s(`00:00Z","mfaAuthenticated":"false"}}`)
	if invokedBy != "" {
		w.s(`,"invokedBy":"`)
		w.s(invokedBy)
		w.s(`"`)
	}
	w.s(`}`)
}

func (w *rec) user(i int) {
	w.s(`{"type":"IAMUser","principalId":"`)
	w.s(w.p.users[i])
	w.s(`","arn":"arn:aws:iam::`)
	w.s(w.account)
	w.s(`:user/`)
	w.s(w.v.users[i])
	w.s(`","accountId":"`)
	w.s(w.account)
	w.s(`","accessKeyId":"AKIA`)
	w.b = appendAlnum(w.b, w.r, 16, upperAlnum)
	w.s(`","userName":"`)
	w.s(w.v.users[i])
	w.s(`"}`)
}

// caller writes the identity of a noise call: mostly roles, and some
// long-lived users.
func (w *rec) caller() {
	if w.r.IntN(5) < 2 {
		w.user(w.r.IntN(nUsers))
		return
	}
	w.assumed(w.r.IntN(nRoles), w.session(), "")
}

func (w *rec) service(name string) {
	w.s(`{"type":"AWSService","invokedBy":"`)
	w.s(name)
	w.s(`"}`)
}

// call writes the fields from eventTime to userAgent.
func (w *rec) call(sec int, source, name, ip, agent string) {
	w.s(`,"eventTime":"`)
	w.s(w.hourPrefix)
	w.b = append(w.b, byte('0'+sec/600), byte('0'+sec/60%10), ':', byte('0'+sec%60/10), byte('0'+sec%10))
	w.s(`Z","eventSource":"`)
	w.s(source)
	w.s(`","eventName":"`)
	w.s(name)
	w.s(`","awsRegion":"`)
	w.s(w.region)
	w.s(`","sourceIPAddress":"`)
	if ip == "" {
		w.ip()
	} else {
		w.s(ip)
	}
	w.s(`","userAgent":"`)
	w.s(agent)
	w.s(`"`)
}

// ip writes a private address, or one from the documentation ranges.
func (w *rec) ip() {
	switch w.r.IntN(3) {
	case 0:
		w.s("203.0.113.")
	case 1:
		w.s("198.51.100.")
	default:
		w.s("10.")
		w.b = strconv.AppendInt(w.b, int64(w.r.IntN(256)), 10)
		w.s(".")
		w.b = strconv.AppendInt(w.b, int64(w.r.IntN(256)), 10)
		w.s(".")
	}
	w.b = strconv.AppendInt(w.b, int64(1+w.r.IntN(254)), 10)
}

func (w *rec) denied(action, resource string, i int, session string) {
	w.s(`,"errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::`)
	w.s(w.account)
	w.s(`:assumed-role/`)
	w.s(w.v.roles[i])
	w.s(`/`)
	w.s(session)
	w.s(` is not authorized to perform: `)
	w.s(action)
	w.s(` on resource: `)
	w.s(resource)
	w.s(` because no resource-based policy allows the `)
	w.s(action)
	w.s(` action"`)
}

// ids writes requestID and eventID; s3 request IDs are 16 hex digits.
func (w *rec) ids(s3 bool) {
	w.s(`,"requestID":"`)
	if s3 {
		w.b = appendAlnum(w.b, w.r, 16, "0123456789ABCDEF")
	} else {
		w.b = appendUUID(w.b, w.r)
	}
	w.s(`","eventID":"`)
	w.b = appendUUID(w.b, w.r)
	w.s(`"`)
}

// end writes the fields after resources and closes the record.
func (w *rec) end(management bool, host string) {
	w.s(`,"eventType":"AwsApiCall","managementEvent":`)
	w.b = strconv.AppendBool(w.b, management)
	w.s(`,"recipientAccountId":"`)
	w.s(w.account)
	w.s(`","eventCategory":"`)
	if management {
		w.s("Management")
	} else {
		w.s("Data")
	}
	w.s(`"`)
	if host != "" {
		w.s(`,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`)
		w.s(host)
		w.s(`"}`)
	}
	w.s(`}`)
}

func (w *rec) readOnly(v bool) {
	w.s(`,"readOnly":`)
	w.b = strconv.AppendBool(w.b, v)
}

// keyResource writes resources naming one KMS key.
func (w *rec) keyResource(key string) {
	w.s(`,"resources":[{"accountId":"`)
	w.s(w.account)
	w.s(`","type":"AWS::KMS::Key","ARN":"`)
	w.s(key)
	w.s(`"}]`)
}

func (w *rec) host(service string) string {
	return service + "." + w.region + ".amazonaws.com"
}

func (w *rec) session() string {
	return string(appendAlnum([]byte("session-"), w.r, 8, "0123456789abcdef"))
}

func (w *rec) name(prefix string) string {
	w.seq++
	return prefix + "-" + w.hourTag + "-" + strconv.Itoa(w.seq)
}

// --- noise ---

func (w *rec) ec2Describe(sec int) {
	w.begin("1.09")
	w.caller()
	w.call(sec, "ec2.amazonaws.com", "DescribeInstances", "", w.v.noiseAgents[w.r.IntN(len(w.v.noiseAgents))])
	w.s(`,"requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"platform"}]}},{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}},"responseElements":null`)
	w.ids(false)
	w.readOnly(true)
	w.end(true, w.host("ec2"))
}

func (w *rec) ec2Run(sec int) {
	i := w.r.IntN(nRoles)
	typ := w.v.instanceTypes[w.r.IntN(len(w.v.instanceTypes))]
	w.begin("1.09")
	w.assumed(i, w.session(), "")
	w.call(sec, "ec2.amazonaws.com", "RunInstances", "", w.v.noiseAgents[5])
	w.s(`,"requestParameters":{"instancesSet":{"items":[{"imageId":"ami-0`)
	w.b = appendAlnum(w.b, w.r, 16, "0123456789abcdef")
	w.s(`","minCount":1,"maxCount":1}]},"instanceType":"`)
	w.s(typ)
	w.s(`","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":"`)
	w.b = appendUUID(w.b, w.r)
	w.s(`","tagSpecificationSet":{"items":[{"resourceType":"instance","tags":[{"key":"team","value":"platform"}]}]}},"responseElements":{"requestId":"`)
	w.b = appendUUID(w.b, w.r)
	w.s(`","reservationId":"r-0`)
	w.b = appendAlnum(w.b, w.r, 16, "0123456789abcdef")
	w.s(`","ownerId":"`)
	w.s(w.account)
	w.s(`","groupSet":{},"instancesSet":{"items":[{"instanceId":"i-0`)
	w.b = appendAlnum(w.b, w.r, 16, "0123456789abcdef")
	w.s(`","instanceState":{"code":0,"name":"pending"},"privateDnsName":"ip-10-0-1-23.ec2.internal","amiLaunchIndex":0,"productCodes":{},"instanceType":"`)
	w.s(typ)
	w.s(`","launchTime":1767225600000,"placement":{"availabilityZone":"`)
	w.s(w.region)
	w.s(`a","tenancy":"default"},"monitoring":{"state":"disabled"},"subnetId":"subnet-0`)
	w.b = appendAlnum(w.b, w.r, 16, "0123456789abcdef")
	w.s(`","privateIpAddress":"10.0.1.23","stateReason":{"code":"pending","message":"pending"},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{},"virtualizationType":"hvm","hypervisor":"xen","groupSet":{"items":[{"groupId":"sg-0`)
	w.b = appendAlnum(w.b, w.r, 16, "0123456789abcdef")
	w.s(`","groupName":"default"}]},"sourceDestCheck":true,"networkInterfaceSet":{},"ebsOptimized":false,"enaSupport":true,"metadataOptions":{"state":"pending","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled"}}]}}`)
	w.ids(false)
	w.readOnly(false)
	w.end(true, w.host("ec2"))
}

// s3Object writes a GetObject or PutObject data event; half the puts ask
// for SSE-KMS, whose parameters say "aws:kms" without naming KMS's event
// source.
func (w *rec) s3Object(sec int, put bool) {
	bucket := w.p.buckets[w.r.IntN(len(w.p.buckets))]
	object := w.v.objects[w.r.IntN(len(w.v.objects))]
	sse := put && w.r.IntN(2) == 0
	name := "GetObject"
	if put {
		name = "PutObject"
	}
	w.begin("1.09")
	w.caller()
	w.call(sec, "s3.amazonaws.com", name, "", w.v.noiseAgents[w.r.IntN(len(w.v.noiseAgents))])
	w.s(`,"requestParameters":{"bucketName":"`)
	w.s(bucket)
	w.s(`","Host":"`)
	w.s(bucket)
	w.s(`.s3.`)
	w.s(w.region)
	w.s(`.amazonaws.com","key":"`)
	w.s(object)
	if sse {
		w.s(`","x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-aws-kms-key-id":"`)
		w.s(w.s3Key)
	}
	w.s(`"},"responseElements":`)
	switch {
	case sse:
		w.s(`{"x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-aws-kms-key-id":"`)
		w.s(w.s3Key)
		w.s(`","x-amz-server-side-encryption-bucket-key-enabled":"false"}`)
	case put:
		w.s(`{"x-amz-server-side-encryption":"AES256"}`)
	default:
		w.s(`null`)
	}
	w.s(`,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":`)
	if put {
		w.b = strconv.AppendInt(w.b, int64(w.r.IntN(1<<24)), 10)
		w.s(`,"SSEApplied":"`)
		if sse {
			w.s(`SSE_KMS`)
		} else {
			w.s(`Default_SSE_S3`)
		}
		w.s(`"`)
	} else {
		w.s(`0`)
	}
	w.s(`,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"`)
	w.b = appendAlnum(w.b, w.r, 40, mixedAlnum)
	w.s(`=","bytesTransferredOut":`)
	if put {
		w.s(`0`)
	} else {
		w.b = strconv.AppendInt(w.b, int64(w.r.IntN(1<<24)), 10)
	}
	w.s(`}`)
	w.ids(true)
	w.readOnly(!put)
	w.s(`,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::`)
	w.s(bucket)
	w.s(`/`)
	w.s(object)
	w.s(`"},{"accountId":"`)
	w.s(w.account)
	w.s(`","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::`)
	w.s(bucket)
	w.s(`"}]`)
	w.end(false, bucket+".s3."+w.region+".amazonaws.com")
}

// iamRead writes an IAM GetRole in us-east-1, where global services log,
// and an STS GetCallerIdentity elsewhere.
func (w *rec) iamRead(sec int) {
	u := w.r.IntN(nUsers)
	w.begin("1.08")
	w.user(u)
	if w.region == "us-east-1" {
		w.call(sec, "iam.amazonaws.com", "GetRole", "", w.v.noiseAgents[w.r.IntN(len(w.v.noiseAgents))])
		w.s(`,"requestParameters":{"roleName":"`)
		w.s(w.v.roles[w.r.IntN(nRoles)])
		w.s(`"},"responseElements":null`)
		w.ids(false)
		w.readOnly(true)
		w.end(true, "iam.amazonaws.com")
		return
	}
	w.call(sec, "sts.amazonaws.com", "GetCallerIdentity", "", w.v.noiseAgents[w.r.IntN(len(w.v.noiseAgents))])
	w.s(`,"requestParameters":null,"responseElements":null`)
	w.ids(false)
	w.readOnly(true)
	w.end(true, w.host("sts"))
}

// assumeRole writes an STS AssumeRole by a user or, when by is set, by a
// service for its instance profile or execution role.
func (w *rec) assumeRole(sec int, by string) {
	i := w.r.IntN(nRoles)
	session := w.session()
	w.begin("1.08")
	if by == "" {
		w.user(w.r.IntN(nUsers))
		w.call(sec, "sts.amazonaws.com", "AssumeRole", "", w.v.noiseAgents[w.r.IntN(len(w.v.noiseAgents))])
	} else {
		session = "SageMaker"
		if by != trail.SourceSageMaker {
			session = "i-0" + string(appendAlnum(nil, w.r, 16, "0123456789abcdef"))
		}
		w.service(by)
		w.call(sec, "sts.amazonaws.com", "AssumeRole", by, by)
	}
	w.s(`,"requestParameters":{"roleArn":"arn:aws:iam::`)
	w.s(w.account)
	w.s(`:role/`)
	w.s(w.v.roles[i])
	w.s(`","roleSessionName":"`)
	w.s(session)
	w.s(`","durationSeconds":3600},"responseElements":{"credentials":{"accessKeyId":"ASIA`)
	w.b = appendAlnum(w.b, w.r, 16, upperAlnum)
	w.s(`","sessionToken":"IQoJb3JpZ2luX2VjEMr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ`)
	w.b = appendAlnum(w.b, w.r, 120, mixedAlnum)
	w.s(`","expiration":"Jan 1, 2026, 1:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"`)
	w.s(w.p.roles[i])
	w.s(`:`)
	w.s(session)
	w.s(`","arn":"arn:aws:sts::`)
	w.s(w.account)
	w.s(`:assumed-role/`)
	w.s(w.v.roles[i])
	w.s(`/`)
	w.s(session)
	w.s(`"}}`)
	w.ids(false)
	w.readOnly(true)
	w.s(`,"resources":[{"accountId":"`)
	w.s(w.account)
	w.s(`","type":"AWS::IAM::Role","ARN":"arn:aws:iam::`)
	w.s(w.account)
	w.s(`:role/`)
	w.s(w.v.roles[i])
	w.s(`"}]`)
	w.end(true, "")
}

// kmsByS3 writes a GenerateDataKey S3 made for an SSE-KMS object: KMS's
// event source, but nothing of SageMaker's.
func (w *rec) kmsByS3(sec int) {
	bucket := w.p.buckets[w.r.IntN(len(w.p.buckets))]
	w.begin("1.08")
	w.assumed(w.r.IntN(nRoles), w.session(), "s3.amazonaws.com")
	w.call(sec, trail.SourceKMS, "GenerateDataKey", "s3.amazonaws.com", "s3.amazonaws.com")
	w.s(`,"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::`)
	w.s(bucket)
	w.s(`/`)
	w.s(w.v.objects[w.r.IntN(len(w.v.objects))])
	w.s(`"},"keyId":"`)
	w.s(w.s3Key)
	w.s(`","keySpec":"AES_256"},"responseElements":null`)
	w.ids(false)
	w.readOnly(true)
	w.keyResource(w.s3Key)
	w.end(true, "")
}

// --- interesting ---

// kmsBySageMaker writes a data-key call SageMaker made with an execution
// role on one of the keys.
func (w *rec) kmsBySageMaker(sec int) {
	key := w.keys[w.r.IntN(len(w.keys))]
	name := "GenerateDataKey"
	if w.r.IntN(5) < 2 {
		name = "Decrypt"
	}
	w.begin("1.08")
	w.assumed(execRole, "SageMaker", trail.SourceSageMaker)
	w.call(sec, trail.SourceKMS, name, trail.SourceSageMaker, trail.SourceSageMaker)
	w.s(`,"requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::`)
	w.s(w.p.buckets[1])
	w.s(`/training/output/model.tar.gz"},"keyId":"`)
	w.s(key)
	if name == "Decrypt" {
		w.s(`","encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null`)
	} else {
		w.s(`","keySpec":"AES_256"},"responseElements":null`)
	}
	w.ids(false)
	w.readOnly(true)
	w.keyResource(key)
	w.end(true, "")
}

// kmsByRole writes a Decrypt a role called itself; one in three is
// refused.
func (w *rec) kmsByRole(sec int) {
	key := w.keys[w.r.IntN(len(w.keys))]
	i := w.r.IntN(nRoles)
	session := w.session()
	deny := w.r.IntN(3) == 0
	w.begin("1.08")
	w.assumed(i, session, "")
	w.call(sec, trail.SourceKMS, "Decrypt", "", w.v.noiseAgents[1])
	if deny {
		w.sum.KMSDenied++
		w.denied("kms:Decrypt", key, i, session)
	}
	w.s(`,"requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null`)
	w.ids(false)
	w.readOnly(true)
	w.keyResource(key)
	w.end(true, w.host("kms"))
}

// sageMakerRead writes a Describe or List call, which sagekey does not
// count.
func (w *rec) sageMakerRead(sec int) {
	w.begin("1.08")
	w.assumed(w.r.IntN(nRoles), w.session(), "")
	agent := w.v.createAgents[w.r.IntN(len(w.v.createAgents))]
	switch w.r.IntN(4) {
	case 0:
		w.call(sec, trail.SourceSageMaker, "DescribeTrainingJob", "", agent)
		w.s(`,"requestParameters":{"trainingJobName":"train-nightly-churn"}`)
	case 1:
		w.call(sec, trail.SourceSageMaker, "ListTrainingJobs", "", agent)
		w.s(`,"requestParameters":{"maxResults":100,"sortBy":"CreationTime","sortOrder":"Descending"}`)
	case 2:
		w.call(sec, trail.SourceSageMaker, "DescribeEndpoint", "", agent)
		w.s(`,"requestParameters":{"endpointName":"churn-realtime"}`)
	default:
		w.call(sec, trail.SourceSageMaker, "ListEndpoints", "", agent)
		w.s(`,"requestParameters":{"maxResults":50}`)
	}
	w.s(`,"responseElements":null`)
	w.ids(false)
	w.readOnly(true)
	w.end(true, w.host("api.sagemaker"))
}

// sageMakerCreate writes a create call of a new resource encrypted with
// one of the keys.
func (w *rec) sageMakerCreate(sec int) {
	key := w.keys[w.r.IntN(len(w.keys))]
	i := w.r.IntN(nRoles)
	arn := func(kind, name string) string {
		return "arn:aws:sagemaker:" + w.region + ":" + w.account + ":" + kind + "/" + name
	}
	role := "arn:aws:iam::" + w.account + ":role/" + w.v.roles[execRole]
	w.begin("1.08")
	w.assumed(i, w.session(), "")
	agent := w.v.createAgents[w.r.IntN(len(w.v.createAgents))]
	switch w.r.IntN(4) {
	case 0:
		name := w.name("train")
		w.call(sec, trail.SourceSageMaker, "CreateTrainingJob", "", agent)
		w.s(`,"requestParameters":{"trainingJobName":"` + name + `","algorithmSpecification":{"trainingImage":"683313688378.dkr.ecr.` +
			w.region + `.amazonaws.com/sagemaker-xgboost:1.7-1","trainingInputMode":"File"},"roleArn":"` + role +
			`","outputDataConfig":{"kmsKeyId":"` + key + `","s3OutputPath":"s3://` + w.p.buckets[1] + `/training/output"},"resourceConfig":{"instanceType":"ml.m5.xlarge","instanceCount":1,"volumeSizeInGB":30,"volumeKmsKeyId":"` +
			key + `"},"stoppingCondition":{"maxRuntimeInSeconds":86400},"enableNetworkIsolation":false}`)
		w.s(`,"responseElements":{"trainingJobArn":"` + arn("training-job", name) + `"}`)
	case 1:
		name := w.name("prep")
		w.call(sec, trail.SourceSageMaker, "CreateProcessingJob", "", agent)
		w.s(`,"requestParameters":{"processingJobName":"` + name + `","processingResources":{"clusterConfig":{"instanceCount":1,"instanceType":"ml.m5.xlarge","volumeSizeInGB":30,"volumeKmsKeyId":"` +
			key + `"}},"appSpecification":{"imageUri":"683313688378.dkr.ecr.` + w.region + `.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"},"roleArn":"` + role + `"}`)
		w.s(`,"responseElements":{"processingJobArn":"` + arn("processing-job", name) + `"}`)
	case 2:
		name := w.name("churn-config")
		w.call(sec, trail.SourceSageMaker, "CreateEndpointConfig", "", agent)
		w.s(`,"requestParameters":{"endpointConfigName":"` + name + `","productionVariants":[{"variantName":"AllTraffic","modelName":"churn-xgb","initialInstanceCount":1,"instanceType":"ml.m5.large","initialVariantWeight":1.0}],"kmsKeyId":"` +
			key + `"}`)
		w.s(`,"responseElements":{"endpointConfigArn":"` + arn("endpoint-config", name) + `"}`)
	default:
		name := w.name("notebook")
		w.call(sec, trail.SourceSageMaker, "CreateNotebookInstance", "", agent)
		w.s(`,"requestParameters":{"notebookInstanceName":"` + name + `","instanceType":"ml.t3.medium","roleArn":"` + role +
			`","kmsKeyId":"` + key + `","directInternetAccess":"Disabled","rootAccess":"Disabled"}`)
		w.s(`,"responseElements":{"notebookInstanceArn":"` + arn("notebook-instance", name) + `"}`)
	}
	w.ids(false)
	w.readOnly(false)
	w.end(true, w.host("api.sagemaker"))
}
