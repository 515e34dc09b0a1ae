-- sagekey.cloudtrail_org: the CloudTrail table with partition projection (run by --athena-create-table)
CREATE EXTERNAL TABLE IF NOT EXISTS `sagekey`.`cloudtrail_org` (
  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<
      userid: STRING,
      identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<
        mfaauthenticated: STRING,
        creationdate: STRING>,
      sessionissuer: STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<
        federatedprovider: STRING,
        attributes: MAP<STRING,STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<
    arn: STRING,
    accountid: STRING,
    type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<
    reason: STRING,
    updatedfields: STRING,
    originalrequestid: STRING,
    originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<
    tlsversion: STRING,
    ciphersuite: STRING,
    clientprovidedhostheader: STRING>
)
PARTITIONED BY (
  `account` string,
  `region` string,
  `timestamp` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://org-trail-logs/audit/ct/AWSLogs/o-abcdefghij/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.account.type'='enum',
  'projection.account.values'='111111111111,222222222222',
  'projection.region.type'='enum',
  'projection.region.values'='eu-west-1,us-east-1',
  'projection.timestamp.type'='date',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='2024/01/15,NOW',
  'storage.location.template'='s3://org-trail-logs/audit/ct/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${timestamp}');

-- kms_access_denials: KMS requests refused by policy (AccessDenied), per day, key reference and caller; sagekey keeps those on keys that protect SageMaker data or made through SageMaker
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  recipientaccountid,
  useridentity.accountid AS useridentity_accountid,
  awsregion,
  eventsource,
  eventname,
  errorcode,
  array_join(transform(filter(resources, r -> r.type = 'AWS::KMS::Key' AND coalesce(r.arn, '') <> ''), r -> r.arn), ' ') AS kms_key_arns,
  json_extract_scalar(requestparameters, '$.keyId') AS key_id,
  json_extract_scalar(requestparameters, '$.aliasName') AS alias_name,
  json_extract_scalar(requestparameters, '$.targetKeyId') AS target_key_id,
  useridentity.type AS useridentity_type,
  CASE WHEN coalesce(useridentity.sessioncontext.sessionissuer.arn, '') = '' AND coalesce(useridentity.arn, '') = '' AND coalesce(useridentity.invokedby, '') = '' AND coalesce(useridentity.type, '') <> 'AWSService' THEN useridentity.principalid END AS useridentity_principalid,
  useridentity.arn AS useridentity_arn,
  useridentity.invokedby AS useridentity_invokedby,
  useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn,
  CASE WHEN sourceipaddress = 'sagemaker.amazonaws.com' OR useridentity.type = 'AWSService' THEN sourceipaddress END AS sourceipaddress,
  CASE WHEN useragent = 'sagemaker.amazonaws.com' THEN useragent END AS useragent,
  count(*) AS event_count,
  array_join(min(eventid, 3), ',') AS sample_event_ids
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
  AND split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''
  AND eventsource = 'kms.amazonaws.com'
  AND (coalesce(sharedeventid, '') = '' OR coalesce(element_at(filter(resources, r -> r.type = 'AWS::KMS::Key'), 1).accountid, recipientaccountid) = recipientaccountid)
  AND errorcode IN ('AccessDenied', 'AccessDeniedException')
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20;

-- violations_blocked: SageMaker create and key-update requests refused by an explicit deny, per day, action, policy and caller
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  recipientaccountid,
  useridentity.accountid AS useridentity_accountid,
  awsregion,
  eventsource,
  eventname,
  errorcode,
  regexp_extract(errormessage, '(?i)with an explicit deny.*') AS deny_message,
  useridentity.type AS useridentity_type,
  CASE WHEN coalesce(useridentity.sessioncontext.sessionissuer.arn, '') = '' AND coalesce(useridentity.arn, '') = '' AND coalesce(useridentity.invokedby, '') = '' AND coalesce(useridentity.type, '') <> 'AWSService' THEN useridentity.principalid END AS useridentity_principalid,
  CASE WHEN coalesce(useridentity.sessioncontext.sessionissuer.arn, '') = '' THEN useridentity.arn END AS useridentity_arn,
  useridentity.invokedby AS useridentity_invokedby,
  useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn,
  CASE WHEN useridentity.type = 'AWSService' THEN sourceipaddress END AS sourceipaddress,
  count(*) AS event_count,
  array_join(min(eventid, 3), ',') AS sample_event_ids
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
  AND split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''
  AND eventsource = 'sagemaker.amazonaws.com'
  AND errorcode IN ('AccessDenied', 'AccessDeniedException')
  AND eventname IN ('CreateAutoMLJob', 'CreateAutoMLJobV2', 'CreateDataQualityJobDefinition', 'CreateDomain', 'CreateEndpointConfig', 'CreateFeatureGroup', 'CreateHyperParameterTuningJob', 'CreateJob', 'CreateLabelingJob', 'CreateModelBiasJobDefinition', 'CreateModelExplainabilityJobDefinition', 'CreateModelQualityJobDefinition', 'CreateMonitoringSchedule', 'CreateNotebookInstance', 'CreateProcessingJob', 'CreateTrainingJob', 'CreateTransformJob', 'CreateUserProfile', 'UpdateDomain', 'UpdateMonitoringSchedule', 'UpdateUserProfile')
  AND regexp_like(errormessage, '(?i)with an explicit deny')
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16;

-- creators: successful SageMaker create events, one row per event
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  eventtime,
  eventid,
  recipientaccountid,
  useridentity.accountid AS useridentity_accountid,
  awsregion,
  eventsource,
  eventname,
  useridentity.type AS useridentity_type,
  useridentity.principalid AS useridentity_principalid,
  useridentity.arn AS useridentity_arn,
  useridentity.invokedby AS useridentity_invokedby,
  useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn,
  sourceipaddress,
  useragent,
  responseelements
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
  AND split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''
  AND eventsource = 'sagemaker.amazonaws.com'
  AND coalesce(errorcode, '') = ''
  AND eventname IN ('CreateAlgorithm', 'CreateAutoMLJob', 'CreateAutoMLJobV2', 'CreateCluster', 'CreateCompilationJob', 'CreateDataQualityJobDefinition', 'CreateDeviceFleet', 'CreateDomain', 'CreateEdgePackagingJob', 'CreateEndpoint', 'CreateEndpointConfig', 'CreateFeatureGroup', 'CreateFlowDefinition', 'CreateHyperParameterTuningJob', 'CreateInferenceExperiment', 'CreateInferenceRecommendationsJob', 'CreateJob', 'CreateLabelingJob', 'CreateModelBiasJobDefinition', 'CreateModelCard', 'CreateModelExplainabilityJobDefinition', 'CreateModelPackage', 'CreateModelQualityJobDefinition', 'CreateMonitoringSchedule', 'CreateNotebookInstance', 'CreateOptimizationJob', 'CreatePartnerApp', 'CreatePipeline', 'CreateProcessingJob', 'CreateTrainingJob', 'CreateTransformJob', 'CreateUserProfile')
  AND responseelements LIKE '%arn:%:sagemaker:%';

-- key_events: KMS key lifecycle events (disable, schedule deletion, policy, alias, rotation), one row per event
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  eventtime,
  eventid,
  recipientaccountid,
  useridentity.accountid AS useridentity_accountid,
  awsregion,
  eventsource,
  eventname,
  useridentity.type AS useridentity_type,
  useridentity.principalid AS useridentity_principalid,
  useridentity.arn AS useridentity_arn,
  useridentity.invokedby AS useridentity_invokedby,
  useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn,
  sourceipaddress,
  useragent,
  requestparameters,
  responseelements,
  array_join(transform(filter(resources, r -> r.type = 'AWS::KMS::Key' AND coalesce(r.arn, '') <> ''), r -> r.arn), ' ') AS kms_key_arns
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
  AND split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''
  AND eventsource = 'kms.amazonaws.com'
  AND (coalesce(sharedeventid, '') = '' OR coalesce(element_at(filter(resources, r -> r.type = 'AWS::KMS::Key'), 1).accountid, recipientaccountid) = recipientaccountid)
  AND coalesce(errorcode, '') = ''
  AND eventname IN ('CancelKeyDeletion', 'DeleteAlias', 'DeleteImportedKeyMaterial', 'DisableKey', 'DisableKeyRotation', 'EnableKey', 'EnableKeyRotation', 'ImportKeyMaterial', 'PutKeyPolicy', 'RevokeGrant', 'ScheduleKeyDeletion', 'UpdateAlias');

-- kms_requests: KMS requests SageMaker made on a caller's behalf, per day, key reference and operation
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  recipientaccountid,
  useridentity.accountid AS useridentity_accountid,
  awsregion,
  eventsource,
  eventname,
  array_join(transform(filter(resources, r -> r.type = 'AWS::KMS::Key' AND coalesce(r.arn, '') <> ''), r -> r.arn), ' ') AS kms_key_arns,
  json_extract_scalar(requestparameters, '$.keyId') AS key_id,
  json_extract_scalar(requestparameters, '$.aliasName') AS alias_name,
  json_extract_scalar(requestparameters, '$.targetKeyId') AS target_key_id,
  useridentity.invokedby AS useridentity_invokedby,
  CASE WHEN sourceipaddress = 'sagemaker.amazonaws.com' THEN sourceipaddress END AS sourceipaddress,
  CASE WHEN useragent = 'sagemaker.amazonaws.com' THEN useragent END AS useragent,
  count(*) AS event_count
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
  AND split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''
  AND eventsource = 'kms.amazonaws.com'
  AND (coalesce(sharedeventid, '') = '' OR coalesce(element_at(filter(resources, r -> r.type = 'AWS::KMS::Key'), 1).accountid, recipientaccountid) = recipientaccountid)
  AND coalesce(errorcode, '') = ''
  AND (eventname LIKE 'GenerateDataKey%' OR eventname LIKE 'ReEncrypt%' OR eventname IN ('CreateGrant', 'Decrypt', 'Encrypt'))
  AND (useridentity.invokedby = 'sagemaker.amazonaws.com' OR sourceipaddress = 'sagemaker.amazonaws.com' OR useragent = 'sagemaker.amazonaws.com')
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15;

-- records: every record per account, region and day, and those sagekey cannot use
SELECT
  account AS log_account,
  region AS log_region,
  substr(eventtime, 1, 10) AS event_day,
  CASE
    WHEN coalesce(eventsource, '') NOT IN ('kms.amazonaws.com', 'sagemaker.amazonaws.com') THEN NULL
    WHEN coalesce(eventversion, '') = '' THEN 'record without eventVersion'
    WHEN coalesce(eventid, '') = '' THEN 'record without eventID'
    WHEN coalesce(eventname, '') = '' THEN 'record without eventName'
    WHEN coalesce(awsregion, '') = '' THEN 'record without awsRegion'
    WHEN split_part(eventversion, '.', 1) <> '1' THEN concat('event version ', eventversion)
  END AS problem,
  count(*) AS event_count
FROM "sagekey"."cloudtrail_org"
WHERE account IN ('111111111111')
  AND region IN ('eu-west-1', 'us-east-1')
  AND "timestamp" BETWEEN '2024/05/01' AND '2024/06/01'
  AND substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'
GROUP BY 1, 2, 3, 4;
