export {
  PLAIN_KEY,
  describeIssue,
  describeValue,
  formatIssues,
  formatPath,
  type DescribeIssueOptions,
  type FormatIssuesOptions,
  type FormatPathOptions,
} from './issues.js';
export { ConfigFileError, configFileFormat, readConfigFile } from './read.js';
