export {
  PERMISSIONS,
  BUILTIN_ROLES,
  isPermission,
  isBuiltinRole,
  permissionsOf,
  documentAccess,
  checkMembershipChange,
  checkRoleHandout,
  grantFromRole,
} from './permissions.js'
export type {
  Permission,
  BuiltinRole,
  RoleGrant,
  DocumentAccess,
  MembershipChangeRefusal,
  HandoutCheck,
} from './permissions.js'
