import type { QueryParams } from '@osprey/db';
import type { Extent } from './map-fit';
import type { PrincipalPlane } from './principal-plane';

/**
 * The plane as bound parameters: each component and its offset (mean · component), so a row
 * projects as one dot product minus a constant, without centring the vector.
 */
export function projectionParams(plane: PrincipalPlane): QueryParams {
  const offset = (c: number[]) => c.reduce((s, x, j) => s + x * plane.mean[j]!, 0);
  return {
    pp_c0: plane.components[0],
    pp_c1: plane.components[1],
    pp_o0: offset(plane.components[0]),
    pp_o1: offset(plane.components[1]),
  };
}

/** Columns x and y: a row's coordinates on the plane. */
export function projectionSql(): string {
  return `dotProduct(vector, {pp_c0:Array(Float64)}) - {pp_o0:Float64} AS x,
          dotProduct(vector, {pp_c1:Array(Float64)}) - {pp_o1:Float64} AS y`;
}

/** The grid's extent and size as bound parameters. */
export function gridParams(extent: Extent, grid: number): QueryParams {
  return {
    pp_x0: extent.x[0],
    pp_x1: extent.x[1],
    pp_y0: extent.y[0],
    pp_y1: extent.y[1],
    pp_grid: grid,
  };
}

/** Column inside: the row lies within the grid's extent. */
export function insideSql(): string {
  return `x >= {pp_x0:Float64} AND x < {pp_x1:Float64} AND y >= {pp_y0:Float64} AND y < {pp_y1:Float64} AS inside`;
}

/** The row-major grid cell of (x, y), a point outside the extent clamped into the edge cell. */
export function cellSql(grid: number): string {
  const axis = (v: string, lo: string, hi: string) =>
    `least(${grid - 1}, greatest(0, toInt32(floor((${v} - {${lo}:Float64}) / ({${hi}:Float64} - {${lo}:Float64}) * {pp_grid:UInt32}))))`;
  return `${axis('y', 'pp_y0', 'pp_y1')} * ${grid} + ${axis('x', 'pp_x0', 'pp_x1')}`;
}
